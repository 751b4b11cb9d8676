import type { DescMessage } from "@bufbuild/protobuf";
import { pathToString } from "@bufbuild/protobuf/reflect";
import { createValidator, type Validator } from "@bufbuild/protovalidate";
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { type FieldViolation, invalidArgument } from "./invalid-argument.js";
import { nulStringFields } from "./nul-strings.js";

const defaultValidator = createValidator();

/** The `buf.validate` violations of `message` (empty when it is valid). */
export function violationsOf(
  schema: DescMessage,
  message: unknown,
  validator: Validator = defaultValidator,
): FieldViolation[] {
  const result = validator.validate(schema, message as never);
  if (result.kind === "valid") return [];
  if (result.kind === "error")
    throw new ConnectError(`cannot validate: ${result.error.message}`, Code.Internal);
  return result.violations.map((violation) => ({
    field: pathToString(violation.field),
    description: violation.message,
  }));
}

/**
 * Checks every request message — unary, and each message of a client stream — against the
 * `buf.validate` rules in its contract, before the handler sees it. A violation fails the call
 * with INVALID_ARGUMENT and google.rpc.BadRequest details, and so does a string holding U+0000.
 */
export function validationInterceptor(validator: Validator = createValidator()): Interceptor {
  const check = (schema: DescMessage, message: unknown) => {
    const result = validator.validate(schema, message as never);
    if (result.kind === "valid") {
      const nul = nulStringFields(schema, message);
      if (nul.length === 0) return;
      throw invalidArgument(nul.map((field) => ({ field, description: "must not contain U+0000 (NUL)" })));
    }
    if (result.kind === "error")
      throw new ConnectError(`cannot validate: ${result.error.message}`, Code.Internal);
    throw invalidArgument(
      result.violations.map((violation) => ({
        field: pathToString(violation.field),
        description: violation.message,
      })),
    );
  };
  return (next) => async (request) => {
    if (!request.stream) {
      check(request.method.input, request.message);
      return next(request);
    }
    const messages = request.message;
    return next({
      ...request,
      message: (async function* () {
        for await (const message of messages) {
          check(request.method.input, message);
          yield message;
        }
      })(),
    });
  };
}
