/** Created freshness, nonce replay and Timestamp expiry, on a clock the test moves. */
import { describe, expect, it } from "vitest";
import { SoapFault } from "../soap/soap-fault.js";
import { ReplayGuard } from "./replay-guard.js";

const T0 = Date.parse("2026-12-01T10:00:00Z");
const iso = (ms: number) => new Date(ms).toISOString();

function clocked(options: { maxNonces?: number } = {}) {
  let now = T0;
  const guard = new ReplayGuard({ maxAgeSeconds: 300, clockSkewSeconds: 60, now: () => now, ...options });
  return {
    guard,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

const messageOf = (check: () => void) => {
  try {
    check();
    return "accepted";
  } catch (error) {
    expect(error).toBeInstanceOf(SoapFault);
    return (error as SoapFault).message;
  }
};

describe("a UsernameToken's Created and Nonce", () => {
  it("accepts a fresh one once, refuses the same nonce again as a replay", () => {
    const { guard } = clocked();
    expect(messageOf(() => guard.checkToken("ana", iso(T0 - 10_000), "bm9uY2UtMQ=="))).toBe("accepted");
    expect(messageOf(() => guard.checkToken("ana", iso(T0 - 10_000), "bm9uY2UtMQ=="))).toMatch(
      /already used/,
    );
    // Another user's identical nonce is another token.
    expect(messageOf(() => guard.checkToken("bo", iso(T0), "bm9uY2UtMQ=="))).toBe("accepted");
  });

  it("refuses a stale Created, and one from the future beyond the skew", () => {
    const { guard } = clocked();
    expect(messageOf(() => guard.checkToken("ana", iso(T0 - 301_000), "a"))).toMatch(/older than 300 s/);
    expect(messageOf(() => guard.checkToken("ana", iso(T0 + 61_000), "b"))).toMatch(/in the future/);
    expect(messageOf(() => guard.checkToken("ana", iso(T0 + 59_000), "c"))).toBe("accepted");
  });

  it("refuses a Created that is no xsd:dateTime with a zone", () => {
    const { guard } = clocked();
    expect(messageOf(() => guard.checkToken("ana", "2026-12-01T10:00:00", "a"))).toMatch(/xsd:dateTime/);
    expect(messageOf(() => guard.checkToken("ana", "yesterday", "a"))).toMatch(/xsd:dateTime/);
  });

  it("checks only freshness for a token without a nonce", () => {
    const { guard } = clocked();
    expect(messageOf(() => guard.checkToken("ana", iso(T0), undefined))).toBe("accepted");
    expect(messageOf(() => guard.checkToken("ana", iso(T0), undefined))).toBe("accepted");
    expect(guard.size).toBe(0);
  });

  it("forgets nonces once their Created is stale, and refuses new ones while full of fresh ones", () => {
    const { guard, advance } = clocked({ maxNonces: 2 });
    guard.checkToken("ana", iso(T0), "a");
    guard.checkToken("ana", iso(T0), "b");
    expect(messageOf(() => guard.checkToken("ana", iso(T0), "c"))).toMatch(/too many recent nonces/);
    advance(361_000 + 1);
    // "a" is forgotten, but its Created is now stale: still no replay.
    expect(messageOf(() => guard.checkToken("ana", iso(T0), "a"))).toMatch(/older than/);
    expect(messageOf(() => guard.checkToken("ana", iso(T0 + 361_001), "c"))).toBe("accepted");
    expect(guard.size).toBe(1);
  });
});

describe("a wsu:Timestamp", () => {
  it("is refused once expired (beyond the skew) or created in the future", () => {
    const { guard } = clocked();
    expect(messageOf(() => guard.checkTimestamp({ created: iso(T0), expires: iso(T0 + 300_000) }))).toBe(
      "accepted",
    );
    expect(messageOf(() => guard.checkTimestamp({ expires: iso(T0 - 61_000) }))).toMatch(/expired/);
    expect(messageOf(() => guard.checkTimestamp({ created: iso(T0 + 61_000) }))).toMatch(/future/);
  });
});
