import { Code } from "@connectrpc/connect";
import { type ErrorCodes, withStatus } from "@switchboard/runtime";
import {
  AccessDeniedError,
  ImageNotFoundError,
  ImageTooLargeError,
  NotSignedInError,
} from "../domain/errors.js";

/** The status code of each of the image library's errors (bad input: INVALID_ARGUMENT). */
const IMAGE_ERRORS: ErrorCodes = [
  [ImageNotFoundError, Code.NotFound],
  [ImageTooLargeError, Code.ResourceExhausted],
  [NotSignedInError, Code.Unauthenticated],
  [AccessDeniedError, Code.PermissionDenied],
];

/** `work`, with a domain error it throws turned into its status. */
export const mapped = <T>(work: Promise<T>) => withStatus(work, IMAGE_ERRORS);

/** A domain decision (an access rule) run now, its error turned into its status. */
export const decided = <T>(decide: () => T) => mapped(Promise.resolve().then(decide));
