import { generateKeyPairSync } from "node:crypto";
import { Code, ConnectError } from "@connectrpc/connect";
import { AuthService } from "@switchboard/proto/switchboard/auth/v1/auth_service_pb.js";
import { callError, memoryLogger, serveOnPort0, testTokens, until } from "@switchboard/testing";
import { describe, expect, it } from "vitest";
import { type JsonWebKey, JwksKeys } from "../src/auth/jwks-keys.js";
import { TokenVerifier } from "../src/auth/token-verifier.js";
import { jwksOfUserService } from "../src/auth/user-service-jwks.js";
import { ServerUnderTest, transport } from "./server-under-test.js";

const first = testTokens();
const second = testTokens(); // the signer's next key, after a rotation

/** A key set whose answers the test changes, counting fetches. */
function keySource(initial: Array<{ keys: JsonWebKey[] } | Error>) {
  const source = {
    answers: [...initial],
    fetches: 0,
    fetchJwks: async () => {
      source.fetches++;
      const answer = source.answers.length > 1 ? source.answers.shift() : source.answers[0];
      if (answer instanceof Error) throw answer;
      return answer ?? { keys: [] };
    },
  };
  return source;
}

const both = { keys: [...first.jwks.keys, ...second.jwks.keys] };

describe("JwksKeys", () => {
  it("fetches the key set once for many verifications", async () => {
    const source = keySource([first.jwks]);
    const verifier = new TokenVerifier({ keys: new JwksKeys({ fetchJwks: source.fetchJwks }) });
    const callers = await Promise.all(
      Array.from({ length: 50 }, async (_, index) => verifier.verify(await first.user(`u-${index}`))),
    );
    expect(callers).toHaveLength(50);
    expect(source.fetches).toBe(1);
  });

  it("refetches on an unknown kid: a token of the rotated-in key verifies after one refetch", async () => {
    const source = keySource([first.jwks, both]);
    const verifier = new TokenVerifier({
      keys: new JwksKeys({ fetchJwks: source.fetchJwks, minRefreshMs: 0 }),
    });
    await verifier.verify(await first.user("u-1"));
    expect(source.fetches).toBe(1);
    expect(await verifier.verify(await second.user("u-2"))).toEqual({
      kind: "user",
      userId: "u-2",
      roles: ["user"],
    });
    expect(source.fetches).toBe(2);
    await verifier.verify(await first.user("u-1")); // the old key stays while the set lists it
    expect(source.fetches).toBe(2);
  });

  it("a flood of unknown kids does not flood the key source", async () => {
    const source = keySource([first.jwks]);
    const verifier = new TokenVerifier({
      keys: new JwksKeys({ fetchJwks: source.fetchJwks, minRefreshMs: 60_000 }),
    });
    await verifier.verify(await first.user("u-1"));
    const strangers = await Promise.all(
      Array.from({ length: 100 }, (_, index) =>
        second.sign({ sub: "u-1", roles: ["user"] }, { kid: `k-${index}` }),
      ),
    );
    const errors = await Promise.all(strangers.map((token) => callError(verifier.verify(token))));
    expect(errors.every((error) => error.code === Code.Unauthenticated)).toBe(true);
    expect(source.fetches).toBe(1);
  });

  it("concurrent unknown kids share one refetch", async () => {
    const source = keySource([first.jwks, both]);
    const verifier = new TokenVerifier({
      keys: new JwksKeys({ fetchJwks: source.fetchJwks, minRefreshMs: 0 }),
    });
    await verifier.verify(await first.user("u-1"));
    const tokens = await Promise.all(Array.from({ length: 20 }, (_, index) => second.user(`u-${index}`)));
    await Promise.all(tokens.map((token) => verifier.verify(token)));
    expect(source.fetches).toBe(2);
  });

  it("a key set that cannot be fetched is UNAVAILABLE (not a verdict on the token), and recovers", async () => {
    const source = keySource([new Error("connect ECONNREFUSED 127.0.0.1:50051"), first.jwks]);
    const verifier = new TokenVerifier({
      keys: new JwksKeys({ fetchJwks: source.fetchJwks, minRefreshMs: 20 }),
    });
    const token = await first.user("u-1");
    const error = await callError(verifier.verify(token));
    expect(error.code).toBe(Code.Unavailable);
    expect(error.rawMessage).toMatch(/cannot fetch the keys that verify tokens: connect ECONNREFUSED/);
    // Within the window the failure is remembered, not retried.
    expect((await callError(verifier.verify(token))).code).toBe(Code.Unavailable);
    expect(source.fetches).toBe(1);
    await until(async () => (await verifier.verify(token).catch(() => undefined)) !== undefined);
    expect(source.fetches).toBe(2);
  });

  it("keeps the keys it has when a refetch fails", async () => {
    const source = keySource([first.jwks, new Error("user-service is down")]);
    const verifier = new TokenVerifier({
      keys: new JwksKeys({ fetchJwks: source.fetchJwks, minRefreshMs: 0 }),
    });
    await verifier.verify(await first.user("u-1"));
    const unknown = await callError(verifier.verify(await second.user("u-2")));
    expect(unknown.code).toBe(Code.Unavailable);
    expect(await verifier.verify(await first.user("u-3"))).toMatchObject({ userId: "u-3" });
  });

  it("skips keys that are not ES256 public signing keys", async () => {
    const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey.export({ format: "jwk" });
    const ecPrivate = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ format: "jwk" });
    const [good] = first.jwks.keys;
    const set = {
      keys: [
        { ...rsa, kid: "rsa" },
        { ...ecPrivate, kid: "private" },
        { ...good, kid: undefined },
        { ...good, kid: "for-encryption", use: "enc" },
        { ...good, kid: "p-384", crv: "P-384" },
        { ...good, kid: "garbage", x: "not base64url!" },
        good,
      ] as JsonWebKey[],
    };
    const keys = new JwksKeys({ fetchJwks: async () => set });
    for (const kid of ["rsa", "private", "for-encryption", "p-384", "garbage"]) {
      expect(await keys.keyFor(kid)).toBeUndefined();
    }
    expect(await keys.keyFor(first.kid)).toBeDefined();
  });
});

describe(`jwksOfUserService (${transport})`, () => {
  it("fetches the key set from AuthService.GetJwks over gRPC", async () => {
    const server = new ServerUnderTest({
      logger: memoryLogger().logger,
      routes: (router) => router.service(AuthService, { getJwks: () => both as never }),
    });
    await using served = await serveOnPort0(server);
    const verifier = new TokenVerifier({
      keys: new JwksKeys({ fetchJwks: jwksOfUserService(served.baseUrl) }),
    });
    expect(await verifier.verify(await first.admin("a-1"))).toEqual({
      kind: "user",
      userId: "a-1",
      roles: ["user", "admin"],
    });
    expect(await verifier.verify(await second.service("image-service"))).toEqual({
      kind: "service",
      service: "image-service",
    });
  });

  it("a user-service that does not answer is UNAVAILABLE", async () => {
    const verifier = new TokenVerifier({
      keys: new JwksKeys({ fetchJwks: jwksOfUserService("http://127.0.0.1:1") }),
    });
    const error = await callError(verifier.verify(await first.user("u-1")));
    expect(error).toBeInstanceOf(ConnectError);
    expect(error.code).toBe(Code.Unavailable);
  });
});
