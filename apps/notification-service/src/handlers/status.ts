import { Code } from "@connectrpc/connect";
import { type ErrorCodes, withStatus } from "@switchboard/runtime";
import { AccessDeniedError, NotSignedInError } from "../domain/errors.js";

/** The status code of each of the domain's errors (bad input: INVALID_ARGUMENT). */
const NOTIFICATION_ERRORS: ErrorCodes = [
  [NotSignedInError, Code.Unauthenticated],
  [AccessDeniedError, Code.PermissionDenied],
];

/** A domain decision (an access rule) run now, its error turned into its status. */
export const decided = <T>(decide: () => T) =>
  withStatus(Promise.resolve().then(decide), NOTIFICATION_ERRORS);
