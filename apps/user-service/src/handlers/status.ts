import { Code } from "@connectrpc/connect";
import { type ErrorCodes, statusOf, withStatus } from "@switchboard/runtime";
import {
  EmailTakenError,
  RequestReusedError,
  StaleVersionError,
  UserNotFoundError,
} from "../domain/errors.js";

/** The status code of each of the user directory's errors (bad input: INVALID_ARGUMENT). */
const USER_ERRORS: ErrorCodes = [
  [UserNotFoundError, Code.NotFound],
  [StaleVersionError, Code.Aborted],
  [EmailTakenError, Code.AlreadyExists],
  [RequestReusedError, Code.FailedPrecondition],
];

/** A domain error as its status, with its message; anything else unchanged. */
export const toStatus = (error: unknown) => statusOf(error, USER_ERRORS);

/** `work`, with a domain error it throws turned into its status. */
export const mapped = <T>(work: Promise<T>) => withStatus(work, USER_ERRORS);
