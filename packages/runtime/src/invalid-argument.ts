import { Code, ConnectError } from "@connectrpc/connect";
import { BadRequestSchema } from "@switchboard/proto/google/rpc/error_details_pb.js";

export interface FieldViolation {
  /** Path of the offending field, e.g. "user.email" or "operations[0].rotate.degrees". */
  field: string;
  description: string;
}

/** "field: description; …": violations as one line for people. */
export function describeViolations(violations: readonly FieldViolation[]): string {
  return violations.map((v) => `${v.field}: ${v.description}`).join("; ");
}

/**
 * INVALID_ARGUMENT with every violation in the message (for people) and as a google.rpc.BadRequest
 * detail (for programs) — the one way every Switchboard service reports bad input.
 */
export function invalidArgument(violations: readonly FieldViolation[]): ConnectError {
  return new ConnectError(
    `invalid request: ${describeViolations(violations)}`,
    Code.InvalidArgument,
    undefined,
    [{ desc: BadRequestSchema, value: { fieldViolations: violations.map((v) => ({ ...v })) } }],
  );
}

/** The field violations of an INVALID_ARGUMENT error, as a client reads them back. */
export function fieldViolations(error: ConnectError): FieldViolation[] {
  return error
    .findDetails(BadRequestSchema)
    .flatMap((detail) => detail.fieldViolations.map(({ field, description }) => ({ field, description })));
}
