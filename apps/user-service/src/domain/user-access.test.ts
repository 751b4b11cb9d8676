import type { Caller } from "@switchboard/runtime";
import { describe, expect, it } from "vitest";
import { AccessDeniedError, NotAuthenticatedError } from "./errors.js";
import { authorizeUsers, type Decision, decideUserAccess, type UserAction } from "./user-access.js";

const A = "0b9f3c4e-1d2a-4f5b-8c6d-7e8f9a0b1c2d";
const B = "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f";
const anonymous: Caller = { kind: "anonymous" };
const userA: Caller = { kind: "user", userId: A, roles: ["user"] };
const admin: Caller = { kind: "user", userId: B, roles: ["user", "admin"] };
const service: Caller = { kind: "service", service: "user-service" };

type Row = [string, Caller, UserAction, string | undefined, Decision];
const table: Row[] = [
  // A user on itself: every per-user action.
  ["user A", userA, "get", A, "allowed"],
  ["user A", userA, "update", A, "allowed"],
  ["user A", userA, "delete", A, "allowed"],
  ["user A", userA, "session", A, "allowed"],
  ["user A (id in capitals)", userA, "get", A.toUpperCase(), "allowed"],
  // A user on another user: nothing.
  ["user A", userA, "get", B, "denied"],
  ["user A", userA, "update", B, "denied"],
  ["user A", userA, "delete", B, "denied"],
  ["user A", userA, "session", B, "denied"],
  // Collections are for admins.
  ["user A", userA, "list", undefined, "denied"],
  ["user A", userA, "import", undefined, "denied"],
  // An admin: anything.
  ["admin", admin, "get", A, "allowed"],
  ["admin", admin, "update", A, "allowed"],
  ["admin", admin, "delete", A, "allowed"],
  ["admin", admin, "session", A, "allowed"],
  ["admin", admin, "list", undefined, "allowed"],
  ["admin", admin, "import", undefined, "allowed"],
  // Another service: reads only.
  ["service", service, "get", A, "allowed"],
  ["service", service, "list", undefined, "allowed"],
  ["service", service, "update", A, "denied"],
  ["service", service, "delete", A, "denied"],
  ["service", service, "session", A, "denied"],
  ["service", service, "import", undefined, "denied"],
  // Nobody: must authenticate first.
  ["anonymous", anonymous, "get", A, "unauthenticated"],
  ["anonymous", anonymous, "update", A, "unauthenticated"],
  ["anonymous", anonymous, "delete", A, "unauthenticated"],
  ["anonymous", anonymous, "session", A, "unauthenticated"],
  ["anonymous", anonymous, "list", undefined, "unauthenticated"],
  ["anonymous", anonymous, "import", undefined, "unauthenticated"],
];

describe("the users policy (caller × action × target)", () => {
  it.each(table)("%s, %s on %s → %s", (_, caller, action, target, decision) => {
    expect(decideUserAccess(caller, action, target)).toBe(decision);
  });

  it("a user holding a role named like admin but not admin gets nothing extra", () => {
    const odd: Caller = { kind: "user", userId: A, roles: ["user", "administrator"] };
    expect(decideUserAccess(odd, "list")).toBe("denied");
  });

  it("turns denials into domain errors: AccessDeniedError, NotAuthenticatedError", () => {
    expect(() => authorizeUsers(userA, "get", B)).toThrow(AccessDeniedError);
    expect(() => authorizeUsers(anonymous, "get", A)).toThrow(NotAuthenticatedError);
    expect(() => authorizeUsers(userA, "get", A)).not.toThrow();
  });
});
