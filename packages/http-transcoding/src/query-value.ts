import { type DescField, type JsonValue, ScalarType } from "@bufbuild/protobuf";

/** Well-known messages whose proto3 JSON form is a string, so a query parameter can carry them. */
const STRING_MESSAGES = new Set([
  "google.protobuf.Timestamp",
  "google.protobuf.Duration",
  "google.protobuf.FieldMask",
  "google.protobuf.StringValue",
  "google.protobuf.BytesValue",
  "google.protobuf.Int64Value",
  "google.protobuf.UInt64Value",
  "google.protobuf.Int32Value",
  "google.protobuf.UInt32Value",
  "google.protobuf.DoubleValue",
  "google.protobuf.FloatValue",
  "google.protobuf.BoolValue",
]);

/** Whether a field can be set from text (a path variable or a query parameter). */
export function acceptsText(field: DescField): boolean {
  if (field.fieldKind === "scalar" || field.fieldKind === "enum") return true;
  if (field.fieldKind === "list") return field.listKind === "scalar" || field.listKind === "enum";
  return field.fieldKind === "message" && STRING_MESSAGES.has(field.message.typeName);
}

/**
 * A text value as the proto3 JSON value fromJson expects for this field: booleans as JSON booleans,
 * enum numbers as numbers (names stay strings), everything else as the string itself (proto3 JSON
 * accepts numbers, 64-bit integers, bytes in base64 and the well-known types as strings).
 */
export function jsonFromText(field: DescField, text: string): JsonValue {
  const scalar =
    field.fieldKind === "scalar" ? field.scalar : field.fieldKind === "list" ? field.scalar : undefined;
  const isEnum = field.fieldKind === "enum" || (field.fieldKind === "list" && field.listKind === "enum");
  if (isEnum) return /^-?\d+$/.test(text) ? Number(text) : text;
  if (scalar === ScalarType.BOOL) return text === "true" ? true : text === "false" ? false : text;
  if (field.fieldKind === "message" && field.message.typeName === "google.protobuf.BoolValue")
    return text === "true" ? true : text === "false" ? false : text;
  return text;
}
