import type { FieldViolation } from "@switchboard/runtime";

/**
 * What can go wrong in the user directory, in its own terms. The handlers turn these into status
 * codes (handlers/status.ts); the domain knows nothing of gRPC.
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

/** Input that breaks a rule of the directory's, field by field. */
export class InvalidUserError extends Error {
  override name = "InvalidUserError";
  constructor(readonly violations: readonly FieldViolation[]) {
    super(violations.map((v) => `${v.field}: ${v.description}`).join("; "));
  }
}
