import { describeViolations, type FieldViolation } from "./invalid-argument.js";

/**
 * Input that breaks a domain rule, field by field: what a domain layer throws instead of a status
 * code. The edge (a handler, through statusOf) turns it into INVALID_ARGUMENT with these violations.
 */
export class InvalidInputError extends Error {
  override name = "InvalidInputError";
  constructor(readonly violations: readonly FieldViolation[]) {
    super(describeViolations(violations));
  }
}

/** An InvalidInputError, shaped like invalidArgument() so domain code reads the same. */
export function invalidInput(violations: readonly FieldViolation[]): InvalidInputError {
  return new InvalidInputError(violations);
}
