/**
 * What the notification service refuses, in its own terms; handlers/status.ts turns these into
 * status codes (the domain knows nothing of gRPC).
 */

/** The caller is not signed in (no token): the rule needs to know who asks. */
export class NotSignedInError extends Error {
  override name = "NotSignedInError";
}

/** The caller is known but may not do this (another user's notifications, a user sending). */
export class AccessDeniedError extends Error {
  override name = "AccessDeniedError";
}

/** A subscriber read too slowly and its buffer filled: its stream is ended (it can resubscribe and catch up from the list). */
export class SubscriberFellBehindError extends Error {
  override name = "SubscriberFellBehindError";
  constructor() {
    super("subscriber fell too far behind; resubscribe");
  }
}
