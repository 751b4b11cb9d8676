import { describe, expect, it } from "vitest";
import { TooManyAttemptsError } from "./errors.js";
import { clientOf, LoginThrottle } from "./login-throttle.js";

function throttle(limits = { perAccount: 3, perClient: 5, windowMs: 60_000 }) {
  const clock = { now: 1_000_000 };
  return { clock, throttle: new LoginThrottle(limits, () => clock.now) };
}

const failures = (t: LoginThrottle, account: string, client: string, n: number) => {
  for (let i = 0; i < n; i++) {
    t.check(account, client);
    t.failed(account, client);
  }
};

describe("the login throttle", () => {
  it("refuses an account after its limit of failures, with the seconds left in the window", () => {
    const { throttle: t, clock } = throttle();
    failures(t, "ana@example.com", "10.0.0.1", 3);
    clock.now += 15_000;
    const error = (() => {
      try {
        t.check("ANA@example.com", "10.0.0.2"); // another client, same account in other case
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(TooManyAttemptsError);
    expect((error as TooManyAttemptsError).retryAfterSeconds).toBe(45);
    expect(() => t.check("bob@example.com", "10.0.0.2")).not.toThrow();
  });

  it("refuses a client after its limit across accounts", () => {
    const { throttle: t } = throttle();
    for (const n of [1, 2, 3, 4, 5]) failures(t, `user${n}@example.com`, "10.0.0.9", 1);
    expect(() => t.check("new@example.com", "10.0.0.9")).toThrow(TooManyAttemptsError);
    expect(() => t.check("new@example.com", "10.0.0.10")).not.toThrow();
  });

  it("lets the account try again once the window has passed", () => {
    const { throttle: t, clock } = throttle();
    failures(t, "ana@example.com", "10.0.0.1", 3);
    clock.now += 60_000;
    expect(() => t.check("ana@example.com", "10.0.0.1")).not.toThrow();
  });

  it("forgives an attempt that succeeded: the account starts over, the client loses that one count", () => {
    const { throttle: t } = throttle();
    failures(t, "ana@example.com", "10.0.0.1", 2);
    t.check("ana@example.com", "10.0.0.1");
    t.failed("ana@example.com", "10.0.0.1");
    t.forgive("ana@example.com", "10.0.0.1");
    failures(t, "ana@example.com", "10.0.0.1", 2);
    expect(() => t.check("ana@example.com", "10.0.0.1")).not.toThrow();
    // The client has 2 + 2 counted failures: one more reaches its limit of 5.
    failures(t, "other@example.com", "10.0.0.1", 1);
    expect(() => t.check("third@example.com", "10.0.0.1")).toThrow(TooManyAttemptsError);
  });
});

describe("clientOf (the throttle's client key)", () => {
  it.each([
    ["127.0.0.1:5000", "127.0.0.1"],
    ["ipv4:10.1.2.3:443", "10.1.2.3"],
    ["[::1]:5000", "::1"],
    ["ipv6:[fe80::1]:5000", "fe80::1"],
    ["::1", "::1"],
    ["unknown", "unknown"],
  ])("%s → %s", (peer, client) => {
    expect(clientOf(peer)).toBe(client);
  });
});
