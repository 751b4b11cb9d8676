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
