import { describe, expect, it } from "vitest";
import { DummyHash, hashPassword, verifyPassword } from "./passwords.js";

// A cheap cost keeps the unit tests fast; the format carries it, so verification uses it too.
const CHEAP = { N: 1024, r: 8, p: 1 };

describe("password hashes", () => {
  it("stores scrypt's parameters, a salt and the hash, and verifies only the right password", async () => {
    const hash = await hashPassword("correct horse", CHEAP);
    expect(hash).toMatch(/^scrypt\$1024\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(hash).not.toContain("correct horse");
    expect(await verifyPassword("correct horse", hash)).toBe(true);
    expect(await verifyPassword("correct hors", hash)).toBe(false);
    expect(await verifyPassword("", hash)).toBe(false);
  });

  it("salts each hash, so one password never hashes the same twice", async () => {
    const [a, b] = await Promise.all([hashPassword("same", CHEAP), hashPassword("same", CHEAP)]);
    expect(a).not.toBe(b);
  });

  it("verifies with the default cost (N=2^15) too", async () => {
    const hash = await hashPassword("default cost");
    expect(hash.startsWith("scrypt$32768$8$1$")).toBe(true);
    expect(await verifyPassword("default cost", hash)).toBe(true);
  });

  it("treats Unicode forms of one password as the same password (NFC)", async () => {
    const hash = await hashPassword("caf\u00e9", CHEAP);
    expect(await verifyPassword("cafe\u0301", hash)).toBe(true);
  });

  it.each([
    ["empty", ""],
    ["another scheme", "bcrypt$2b$10$abc"],
    ["too few parts", "scrypt$1024$8$1$c2FsdA"],
    ["N not a power of two", "scrypt$1000$8$1$c2FsdA$aGFzaA"],
    ["N too large to run", `scrypt$${2 ** 24}$8$1$c2FsdA$aGFzaA`],
    ["r out of range", "scrypt$1024$0$1$c2FsdA$aGFzaA"],
    ["empty salt", "scrypt$1024$8$1$$aGFzaA"],
  ])("refuses a stored hash that is malformed (%s) without throwing", async (_, stored) => {
    expect(await verifyPassword("anything", stored)).toBe(false);
  });

  it("a dummy hash rejects every password, after doing a real verification's work", async () => {
    const dummy = new DummyHash(CHEAP);
    expect(await dummy.reject("anything")).toBe(false);
    expect(await dummy.reject("")).toBe(false);
  });
});
