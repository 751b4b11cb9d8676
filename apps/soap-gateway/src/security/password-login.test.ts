/** The PasswordText login cache: one login per credential for a short while, never a failed one. */
import { describe, expect, it } from "vitest";
import { PasswordLogin } from "./password-login.js";

function counted(expiresIn = 900) {
  const logins: string[] = [];
  let now = 0;
  const passwords = new PasswordLogin({
    cacheSeconds: 60,
    now: () => now,
    login: async (email, password) => {
      logins.push(email);
      if (password !== "right") throw new Error("UNAUTHENTICATED");
      return { accessToken: `token-${logins.length}`, expiresIn };
    },
  });
  return {
    passwords,
    logins,
    advance: (ms: number) => {
      now += ms;
    },
  };
}
const signal = new AbortController().signal;

describe("PasswordLogin", () => {
  it("reuses the token for the same email and password, logs in again after the cache time", async () => {
    const { passwords, logins, advance } = counted();
    expect(await passwords.accessToken("ana@x", "right", signal)).toBe("token-1");
    expect(await passwords.accessToken("ana@x", "right", signal)).toBe("token-1");
    advance(60_001);
    expect(await passwords.accessToken("ana@x", "right", signal)).toBe("token-2");
    expect(logins).toEqual(["ana@x", "ana@x"]);
  });

  it("never answers a cached token for another password", async () => {
    const { passwords, logins } = counted();
    await passwords.accessToken("ana@x", "right", signal);
    await expect(passwords.accessToken("ana@x", "wrong", signal)).rejects.toThrow("UNAUTHENTICATED");
    await expect(passwords.accessToken("ana@x", "wrong", signal)).rejects.toThrow("UNAUTHENTICATED");
    expect(logins).toHaveLength(3);
  });

  it("does not keep a token that expires within 30 s", async () => {
    const { passwords, logins } = counted(20);
    await passwords.accessToken("ana@x", "right", signal);
    await passwords.accessToken("ana@x", "right", signal);
    expect(logins).toHaveLength(2);
  });

  it("shares one login among calls arriving together with the same credential", async () => {
    const { passwords, logins } = counted();
    const tokens = await Promise.all([1, 2, 3].map(() => passwords.accessToken("ana@x", "right", signal)));
    expect(tokens).toEqual(["token-1", "token-1", "token-1"]);
    expect(logins).toHaveLength(1);
  });
});
