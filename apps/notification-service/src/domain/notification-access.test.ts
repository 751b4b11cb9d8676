import type { Caller } from "@switchboard/runtime";
import { describe, expect, it } from "vitest";
import { AccessDeniedError, NotSignedInError } from "./errors.js";
import { authorizeReading, authorizeSending } from "./notification-access.js";

const A = "0a000000-0000-4000-8000-00000000000a";
const B = "0b000000-0000-4000-8000-00000000000b";
const userA: Caller = { kind: "user", userId: A, roles: ["user"] };
const admin: Caller = {
  kind: "user",
  userId: "0ad00000-0000-4000-8000-000000000000",
  roles: ["user", "admin"],
};
const anonymous: Caller = { kind: "anonymous" };
const service: Caller = { kind: "service", service: "user-service" };

const outcome = (decide: () => void) => {
  try {
    decide();
    return "allowed";
  } catch (error) {
    return (error as Error).name;
  }
};
const denied = AccessDeniedError.name;
const unsigned = NotSignedInError.name;

describe("reading notifications (Subscribe, ListNotifications)", () => {
  it.each([
    ["user A", userA, A, "allowed"],
    ["user A", userA, B, denied],
    ["admin", admin, B, "allowed"],
    ["a service", service, A, denied],
    ["anonymous", anonymous, A, unsigned],
  ] as const)("%s reading %s's → %s", (_, caller, userId, expected) => {
    expect(outcome(() => authorizeReading(caller, userId))).toBe(expected);
  });
});

describe("sending notifications", () => {
  it.each([
    ["user A", userA, denied],
    ["admin", admin, "allowed"],
    ["a service", service, "allowed"],
    ["anonymous", anonymous, unsigned],
  ] as const)("%s → %s", (_, caller, expected) => {
    expect(outcome(() => authorizeSending(caller))).toBe(expected);
  });
});
