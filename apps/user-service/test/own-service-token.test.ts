import type { Database } from "@switchboard/database";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SigningKeys } from "../src/domain/signing-keys.js";
import { ownServiceToken, TokenIssuer } from "../src/domain/token-issuer.js";
import { SigningKeyStore } from "../src/store/signing-key-store.js";
import { migratedDatabase } from "./harness.js";

let db: Database;
beforeAll(async () => {
  db = await migratedDatabase();
});
afterAll(async () => {
  await db?.close();
});

const issuerWithTtl = (ttlSeconds: number) =>
  new TokenIssuer(
    new SigningKeys({
      store: new SigningKeyStore(db),
      rotateEveryMs: 3_600_000,
      tokenTtlMs: ttlSeconds * 1000,
    }),
    ttlSeconds,
  );

describe("user-service's own service token", () => {
  it("is minted once for concurrent callers and reused while fresh", async () => {
    const token = ownServiceToken(issuerWithTtl(900), "user-service");
    const [a, b] = await Promise.all([token(), token()]);
    expect(a).toBe(b);
    expect(await token()).toBe(a);
    expect(decodeJwt(a)).toMatchObject({ sub: "service:user-service", roles: ["service"] });
  });

  it("is minted again before it expires (here: halfway through a 2 s lifetime)", async () => {
    const token = ownServiceToken(issuerWithTtl(2), "user-service");
    const first = await token();
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const second = await token();
    expect(second).not.toBe(first);
    expect(decodeJwt(second).exp).toBeGreaterThan(Date.now() / 1000);
  });
});
