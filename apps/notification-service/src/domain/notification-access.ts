import { type Caller, isAdmin } from "@switchboard/runtime";
import { AccessDeniedError, NotSignedInError } from "./errors.js";

/**
 * Subscribe and ListNotifications: a user reads only its own notifications, an admin anyone's.
 * Services have no reason to read a person's notifications, so they may not.
 */
export function authorizeReading(caller: Caller, userId: string): void {
  if (caller.kind === "anonymous")
    throw new NotSignedInError("reading notifications needs a signed-in caller");
  if (caller.kind === "user" && (caller.userId === userId || isAdmin(caller))) return;
  const who = caller.kind === "user" ? `user ${caller.userId}` : `service ${caller.service}`;
  throw new AccessDeniedError(`${who} may not read the notifications of ${userId}`);
}

/** SendNotification: an admin or a service; a user may not send notifications, not even to itself. */
export function authorizeSending(caller: Caller): void {
  if (caller.kind === "anonymous")
    throw new NotSignedInError("sending a notification needs a signed-in caller");
  if (caller.kind === "service" || isAdmin(caller)) return;
  throw new AccessDeniedError("sending notifications needs the admin role or a service");
}
