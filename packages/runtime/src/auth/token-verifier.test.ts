import { Code } from "@connectrpc/connect";
import { callError, testTokens } from "@switchboard/testing";
import { afterEach, describe, expect, it, vi } from "vitest";
import { TokenVerifier } from "./token-verifier.js";
import type { VerificationKeys } from "./verification-keys.js";

const tokens = testTokens();

/** The kit's keys, counting lookups (one per signature check). */
function countingKeys() {
  const counted = {
    lookups: 0,
    keys: {
      keyFor: (kid: string) => {
        counted.lookups++;
        return tokens.keys.keyFor(kid);
      },
    } satisfies VerificationKeys,
  };
  return counted;
}

afterEach(() => {
  vi.useRealTimers();
});

describe("TokenVerifier's cache of verified tokens", () => {
  it("checks a token's signature once, however often it is presented", async () => {
    const counted = countingKeys();
    const verifier = new TokenVerifier({ keys: counted.keys });
    const token = await tokens.user("u-1");
    for (let call = 0; call < 5; call++)
      expect(await verifier.verify(token)).toMatchObject({ userId: "u-1" });
    expect(counted.lookups).toBe(1);
  });

  it("forgets a token once it expires: it is refused then", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const counted = countingKeys();
    const verifier = new TokenVerifier({ keys: counted.keys, clockSkewSeconds: 30 });
    const token = await tokens.user("u-1"); // expires in 15 minutes
    await verifier.verify(token);
    vi.setSystemTime(Date.now() + 14 * 60_000);
    await verifier.verify(token);
    expect(counted.lookups).toBe(1);
    vi.setSystemTime(Date.now() + 2 * 60_000);
    const error = await callError(verifier.verify(token));
    expect(error).toMatchObject({ code: Code.Unauthenticated, rawMessage: "token expired" });
  });

  it("never remembers a refusal, and remembers nothing with cacheSize 0", async () => {
    const counted = countingKeys();
    const verifier = new TokenVerifier({ keys: counted.keys, cacheSize: 0 });
    const bad = await tokens.sign({ sub: "u-1", roles: ["user"], aud: "elsewhere" });
    await callError(verifier.verify(bad));
    await callError(verifier.verify(bad));
    const good = await tokens.user("u-1");
    await verifier.verify(good);
    await verifier.verify(good);
    expect(counted.lookups).toBe(4);
  });

  it("keeps at most cacheSize tokens, dropping the oldest", async () => {
    const counted = countingKeys();
    const verifier = new TokenVerifier({ keys: counted.keys, cacheSize: 2 });
    const [a, b, c] = await Promise.all(["a", "b", "c"].map((id) => tokens.user(id)));
    for (const token of [a, b, c, c, b]) await verifier.verify(token!);
    expect(counted.lookups).toBe(3);
    await verifier.verify(a!); // dropped when c came in
    expect(counted.lookups).toBe(4);
  });
});
