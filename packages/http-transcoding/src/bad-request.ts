/** One reason a request is refused, as google.rpc.BadRequest.FieldViolation carries it. */
export interface FieldViolation {
  /** Field path in the request ("user.email", "page_size"), or a query parameter's name. */
  field: string;
  description: string;
}

/** The request cannot become the rpc's input message: answer 400 with these violations. */
export class BadRequestError extends Error {
  constructor(readonly violations: FieldViolation[]) {
    super(violations.map((v) => (v.field ? `${v.field}: ${v.description}` : v.description)).join("; "));
    this.name = "BadRequestError";
  }
}

const unknownKey = /key "([^"]+)" is unknown/;
const fieldName = /cannot decode field [\w.]+\.(\w+) from JSON: (.*)$/;

/** Turns a protobuf-es fromJson error into one field violation naming the field where it can. */
export function violationFromJsonError(error: unknown, prefix = ""): FieldViolation {
  const message = error instanceof Error ? error.message : String(error);
  const unknown = unknownKey.exec(message);
  if (unknown) return { field: prefix + unknown[1], description: "unknown field" };
  const invalid = fieldName.exec(message);
  if (invalid) return { field: prefix + invalid[1], description: invalid[2] ?? message };
  return { field: prefix.replace(/\.$/, ""), description: message };
}
