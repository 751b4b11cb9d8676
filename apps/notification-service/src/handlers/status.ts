import { Code } from "@connectrpc/connect";
import { type ErrorCodes, streamWithStatus, withStatus } from "@switchboard/runtime";
import { AccessDeniedError, NotSignedInError, SubscriberFellBehindError } from "../domain/errors.js";

/** The status code of each of the domain's errors (bad input: INVALID_ARGUMENT). */
const NOTIFICATION_ERRORS: ErrorCodes = [
  [NotSignedInError, Code.Unauthenticated],
  [AccessDeniedError, Code.PermissionDenied],
  [SubscriberFellBehindError, Code.ResourceExhausted],
];

/** A domain decision (an access rule) run now, its error turned into its status. */
export const decided = <T>(decide: () => T) =>
  withStatus(Promise.resolve().then(decide), NOTIFICATION_ERRORS);

/** A stream of the domain's (a subscription), its error turned into its status. */
export const streamed = <T>(stream: AsyncIterable<T>) => streamWithStatus(stream, NOTIFICATION_ERRORS);
