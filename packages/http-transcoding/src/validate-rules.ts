import { type DescField, getOption, hasOption } from "@bufbuild/protobuf";
import { field as fieldRules, Ignore } from "@switchboard/proto/buf/validate/validate_pb.js";
import type { Schema } from "./json-schema.js";

/**
 * A field's protovalidate rules as JSON Schema keywords, so the OpenAPI document states the
 * contract's rules (and a fuzzer generates what the services accept). Covers what our contracts
 * use: string length, pattern, uuid, email; integer bounds; repeated item counts.
 */
export function ruleKeywords(field: DescField): Schema {
  if (!hasOption(field, fieldRules)) return {};
  const rules = getOption(field, fieldRules);
  const out: Schema = {};
  const type = rules.type;
  if (type.case === "string") {
    const r = type.value;
    if (r.minLen > 0n) out.minLength = Number(r.minLen);
    if (r.maxLen > 0n) out.maxLength = Number(r.maxLen);
    if (r.pattern) out.pattern = r.pattern;
    if (r.wellKnown.case === "uuid") out.format = "uuid";
    if (r.wellKnown.case === "email") out.format = "email";
  } else if (type.case === "int32" || type.case === "uint32" || type.case === "sint32") {
    const r = type.value;
    if (r.greaterThan.case === "gte") out.minimum = r.greaterThan.value;
    if (r.greaterThan.case === "gt") out.exclusiveMinimum = r.greaterThan.value;
    if (r.lessThan.case === "lte") out.maximum = r.lessThan.value;
    if (r.lessThan.case === "lt") out.exclusiveMaximum = r.lessThan.value;
  } else if (type.case === "int64") {
    // int64 travels as a decimal string: only "not negative" is expressible as a pattern.
    const r = type.value;
    if (r.greaterThan.case === "gte" && r.greaterThan.value >= 0n) out.pattern = "^[0-9]+$";
  } else if (type.case === "repeated") {
    const r = type.value;
    if (r.minItems > 0n) out.minItems = Number(r.minItems);
    if (r.maxItems > 0n) out.maxItems = Number(r.maxItems);
  }
  // "Ignore if zero": the zero value (absent) is allowed besides what the rules accept.
  if (rules.ignore === Ignore.IF_ZERO_VALUE && Object.keys(out).length > 0)
    return { anyOf: [{ const: type.case === "string" ? "" : type.case === "int64" ? "0" : 0 }, out] };
  return out;
}

/** Whether the field's rules refuse its zero value, i.e. a request must set it. */
export function isRequired(field: DescField): boolean {
  if (!hasOption(field, fieldRules)) return false;
  const rules = getOption(field, fieldRules);
  if (rules.required) return true;
  if (rules.ignore === Ignore.IF_ZERO_VALUE) return false;
  const type = rules.type;
  if (type.case === "string")
    return (
      type.value.minLen > 0n || type.value.wellKnown.case === "uuid" || type.value.wellKnown.case === "email"
    );
  if (type.case === "repeated") return type.value.minItems > 0n;
  return false;
}
