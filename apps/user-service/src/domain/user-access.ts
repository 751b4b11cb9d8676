import { type Caller, isAdmin } from "@switchboard/runtime";
import { AccessDeniedError, NotAuthenticatedError } from "./errors.js";

/** What a caller may ask of the users (CreateUser is sign-up: anyone may, and is not listed). */
export type UserAction = "get" | "update" | "delete" | "session" | "list" | "import";

/** Actions on one user by id: its owner may do them. */
const ON_ONESELF: ReadonlySet<UserAction> = new Set(["get", "update", "delete", "session"]);
/** What another service may do: read (the seed contract finds users by name through ListUsers). */
const FOR_SERVICES: ReadonlySet<UserAction> = new Set(["get", "list"]);

export type Decision = "allowed" | "denied" | "unauthenticated";

/**
 * The users policy: a user may get, update, delete and watch (UserSession) only itself; an admin
 * anything; another service may read; ListUsers and ImportUsers are for admins. Decided on the
 * caller and the id alone, before any lookup, so a denial says nothing about whether the user exists.
 */
export function decideUserAccess(caller: Caller, action: UserAction, targetId?: string): Decision {
  switch (caller.kind) {
    case "anonymous":
      return "unauthenticated";
    case "service":
      return FOR_SERVICES.has(action) ? "allowed" : "denied";
    case "user":
      if (isAdmin(caller)) return "allowed";
      if (!ON_ONESELF.has(action) || targetId === undefined) return "denied";
      // Ids in tokens are lowercase; a client may write a UUID in capitals.
      return targetId.toLowerCase() === caller.userId.toLowerCase() ? "allowed" : "denied";
  }
}

/** decideUserAccess, as a domain error when not allowed. */
export function authorizeUsers(caller: Caller, action: UserAction, targetId?: string): void {
  const decision = decideUserAccess(caller, action, targetId);
  if (decision === "unauthenticated") throw new NotAuthenticatedError("a bearer token is required");
  if (decision === "denied") {
    throw new AccessDeniedError(
      targetId === undefined
        ? `${action} on users needs the admin role`
        : `${action} on user ${targetId} is for that user or an admin`,
    );
  }
}
