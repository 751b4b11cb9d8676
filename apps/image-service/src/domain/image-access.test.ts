import { type Caller, InvalidInputError } from "@switchboard/runtime";
import { describe, expect, it } from "vitest";
import { AccessDeniedError, NotSignedInError } from "./errors.js";
import { authorizeImage, type ImageAction, ownerFor } from "./image-access.js";

const A = "0a000000-0000-4000-8000-00000000000a";
const B = "0b000000-0000-4000-8000-00000000000b";
const userA: Caller = { kind: "user", userId: A, roles: ["user"] };
const ADMIN = "0ad00000-0000-4000-8000-000000000000";
const admin: Caller = { kind: "user", userId: ADMIN, roles: ["user", "admin"] };
const anonymous: Caller = { kind: "anonymous" };
const userService: Caller = { kind: "service", service: "user-service" };
const otherService: Caller = { kind: "service", service: "notification-service" };

/** What a call ends as: the owner it acts for, or the error's class. */
const outcome = (decide: () => unknown) => {
  try {
    const owner = decide();
    return typeof owner === "string" ? owner : "allowed";
  } catch (error) {
    return (error as Error).name;
  }
};
const denied = AccessDeniedError.name;
const unsigned = NotSignedInError.name;
const invalid = InvalidInputError.name;

describe("ownerFor: whose images an upload stores or a list reads", () => {
  it.each([
    // caller, action, owner named in the request, outcome
    ["user A", userA, "upload", "", A],
    ["user A", userA, "upload", A, A],
    ["user A", userA, "upload", B, denied],
    ["user A", userA, "list", "", A],
    ["user A", userA, "list", B, denied],
    ["user A", userA, "process", B, denied],
    ["admin", admin, "upload", B, B],
    ["admin", admin, "list", B, B],
    ["admin", admin, "list", "", ADMIN],
    ["anonymous", anonymous, "upload", A, unsigned],
    ["anonymous", anonymous, "list", "", unsigned],
    ["user-service", userService, "upload", B, B],
    ["user-service", userService, "upload", "anonymous", "anonymous"],
    ["user-service", userService, "upload", "", invalid],
    ["user-service", userService, "list", B, denied],
    ["user-service", userService, "process", B, denied],
    ["another service", otherService, "upload", B, denied],
  ] as const)("%s %s for %j → %s", (_, caller, action, requested, expected) => {
    expect(outcome(() => ownerFor(caller, action, requested, "owner_id"))).toBe(expected);
  });
});

describe("authorizeImage: acting on a stored image", () => {
  const ofA = { id: "image-of-a", ownerId: A };
  const actions: ImageAction[] = ["get", "download", "process", "delete"];
  it.each(
    actions.flatMap((action) => [
      ["user A", userA, action, "allowed"],
      ["admin", admin, action, "allowed"],
      ["anonymous", anonymous, action, unsigned],
      ["user-service", userService, action, action === "download" ? "allowed" : denied],
      ["another service", otherService, action, denied],
    ]) as [string, Caller, ImageAction, string][],
  )("%s %s A's image → %s", (_, caller, action, expected) => {
    expect(outcome(() => authorizeImage(caller, action, ofA))).toBe(expected);
  });

  it.each(actions)("user B may not %s A's image", (action) => {
    const userB: Caller = { kind: "user", userId: B, roles: ["user"] };
    expect(outcome(() => authorizeImage(userB, action, ofA))).toBe(denied);
  });
});
