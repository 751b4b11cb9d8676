import type { Database } from "@switchboard/database";
import { brokerUrls, ensureBrokers } from "@switchboard/testing";
import { decodeProtectedHeader, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SigningKeys } from "../src/domain/signing-keys.js";
import { TokenIssuer } from "../src/domain/token-issuer.js";
import { SigningKeyStore } from "../src/store/signing-key-store.js";
import { migratedDatabase } from "./harness.js";

const HOUR = 3_600_000;
const TTL_SECONDS = 900;

/** Two user-service instances over one database, on one controllable clock. */
function instances(db: Database, clock: { now: number }) {
  const make = () => {
    const keys = new SigningKeys({
      store: new SigningKeyStore(db),
      rotateEveryMs: 24 * HOUR,
      tokenTtlMs: TTL_SECONDS * 1000,
      clock: () => clock.now,
    });
    return { keys, issuer: new TokenIssuer(keys, TTL_SECONDS) };
  };
  return [make(), make()] as const;
}

async function verifiesAt(keys: SigningKeys, token: string, at: number): Promise<boolean> {
  const key = await keys.keyFor(decodeProtectedHeader(token).kid ?? "");
  if (!key) return false;
  try {
    await jwtVerify(token, key, { algorithms: ["ES256"], currentDate: new Date(at) });
    return true;
  } catch {
    return false;
  }
}

const kidOf = (token: string) => decodeProtectedHeader(token).kid;

describe.each(["pglite", "postgres"] as const)("signing keys on %s", (engine) => {
  let db: Database;
  beforeAll(async () => {
    if (engine === "postgres") await ensureBrokers("postgres");
    db = await migratedDatabase(engine === "postgres" ? brokerUrls.postgres : undefined);
  });
  afterAll(async () => {
    await db?.close();
  });

  it("rotates once a key is due, keeps the old key verifying until its last token expired, then drops it", async () => {
    const clock = { now: Date.now() };
    const [one, two] = instances(db, clock);
    const first = (await one.issuer.forUser("u1", ["user"])).token;
    // The other instance signs with the very same key, read from the database.
    expect(kidOf((await two.issuer.forUser("u2", ["user"])).token)).toBe(kidOf(first));

    clock.now += 24 * HOUR - 60_000; // not yet due: the last token of the first key
    const lastOfFirst = (await one.issuer.forUser("u3", ["user"])).token;
    expect(kidOf(lastOfFirst)).toBe(kidOf(first));

    clock.now += 60_000; // due: the next token is signed by a new key, whichever instance signs it
    const second = (await two.issuer.forUser("u4", ["user"])).token;
    expect(kidOf(second)).not.toBe(kidOf(first));
    expect(kidOf((await one.issuer.forUser("u5", ["user"])).token)).toBe(kidOf(second));

    // Both keys are published by both instances, and the old key's last token still verifies.
    for (const instance of [one, two]) {
      expect((await instance.keys.publicKeys()).map((key) => key.kid).sort()).toEqual(
        [kidOf(first), kidOf(second)].sort(),
      );
      expect(await verifiesAt(instance.keys, lastOfFirst, clock.now)).toBe(true);
    }

    // Past the retired key's lifetime (token ttl + margin) it is gone from the set and verifies nothing.
    clock.now += TTL_SECONDS * 1000 + 6 * 60_000;
    for (const instance of [one, two]) {
      expect((await instance.keys.publicKeys()).map((key) => key.kid)).toEqual([kidOf(second)]);
      expect(await instance.keys.keyFor(kidOf(first) ?? "")).toBeUndefined();
    }
    const fresh = (await one.issuer.forUser("u6", ["user"])).token;
    expect(kidOf(fresh)).toBe(kidOf(second));
    expect(await verifiesAt(two.keys, fresh, clock.now)).toBe(true);
  });

  it("makes exactly one new key when several instances find the current one due at once", async () => {
    const clock = { now: Date.now() + 1_000 * HOUR };
    const racers = [...instances(db, clock), ...instances(db, clock), ...instances(db, clock)];
    const tokens = await Promise.all(racers.map(({ issuer }) => issuer.forService("racer")));
    expect(new Set(tokens.map(({ token }) => kidOf(token))).size).toBe(1);
    const { rows } = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM signing_keys WHERE retired_at IS NULL",
    );
    expect(rows[0]?.n).toBe(1);
  });

  it("stores the private key only in signing_keys, and publishes only public parts", async () => {
    const [one] = instances(db, { now: Date.now() + 2_000 * HOUR });
    const published = await one.keys.publicKeys();
    expect(published.length).toBeGreaterThan(0);
    for (const key of published) {
      expect(key).toMatchObject({ kty: "EC", crv: "P-256", alg: "ES256", use: "sig" });
      expect(key).not.toHaveProperty("d");
    }
  });
});
