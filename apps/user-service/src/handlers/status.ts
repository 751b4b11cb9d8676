import { Code, ConnectError } from "@connectrpc/connect";
import { RetryInfoSchema } from "@switchboard/proto/google/rpc/error_details_pb.js";
import { type ErrorCodes, statusOf } from "@switchboard/runtime";
import {
  AccessDeniedError,
  EmailTakenError,
  NotAuthenticatedError,
  RequestReusedError,
  StaleVersionError,
  TooManyAttemptsError,
  UserNotFoundError,
} from "../domain/errors.js";

/** The status code of each of the domain's errors (bad input: INVALID_ARGUMENT). */
const USER_ERRORS: ErrorCodes = [
  [UserNotFoundError, Code.NotFound],
  [StaleVersionError, Code.Aborted],
  [EmailTakenError, Code.AlreadyExists],
  [RequestReusedError, Code.FailedPrecondition],
  [NotAuthenticatedError, Code.Unauthenticated],
  [AccessDeniedError, Code.PermissionDenied],
];

/**
 * A domain error as its status, with its message; anything else unchanged. Too many attempts is
 * RESOURCE_EXHAUSTED with a google.rpc.RetryInfo detail saying when to try again.
 */
export function toStatus(error: unknown): unknown {
  if (error instanceof TooManyAttemptsError) {
    return new ConnectError(error.message, Code.ResourceExhausted, undefined, [
      { desc: RetryInfoSchema, value: { retryDelay: { seconds: BigInt(error.retryAfterSeconds) } } },
    ]);
  }
  return statusOf(error, USER_ERRORS);
}

/** `work`, with a domain error it throws turned into its status. */
export async function mapped<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    throw toStatus(error);
  }
}

/** `work()`, with a domain error it throws at once turned into its status. */
export function mappedNow<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    throw toStatus(error);
  }
}
