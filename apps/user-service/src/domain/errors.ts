/**
 * What can go wrong in the user directory, in its own terms. The handlers turn these into status
 * codes (handlers/status.ts); the domain knows nothing of gRPC. Bad input is runtime's
 * InvalidInputError.
 */
export { EmailTakenError } from "../store/user-store.js";

export class UserNotFoundError extends Error {
  override name = "UserNotFoundError";
}

/** A write named a version the user is no longer at. */
export class StaleVersionError extends Error {
  override name = "StaleVersionError";
}

/** A CreateUser retry (same request id) asked for a different user. */
export class RequestReusedError extends Error {
  override name = "RequestReusedError";
}

/** Wrong credentials, or a refresh token that is unknown, expired, revoked or reused: UNAUTHENTICATED. */
export class NotAuthenticatedError extends Error {
  override name = "NotAuthenticatedError";
}

/** A known caller asking for what it may not do: PERMISSION_DENIED. */
export class AccessDeniedError extends Error {
  override name = "AccessDeniedError";
}

/** Too many failed attempts for an account or from a client: RESOURCE_EXHAUSTED, retry after `retryAfterSeconds`. */
export class TooManyAttemptsError extends Error {
  override name = "TooManyAttemptsError";
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}
