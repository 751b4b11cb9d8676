import { type DescEnum, type DescField, type DescMessage, ScalarType } from "@bufbuild/protobuf";
import { Descriptions, described } from "./descriptions.js";
import { isRequired, ruleKeywords } from "./validate-rules.js";

export type Schema = Record<string, unknown>;

const INT64 = new Set([
  ScalarType.INT64,
  ScalarType.UINT64,
  ScalarType.SINT64,
  ScalarType.FIXED64,
  ScalarType.SFIXED64,
]);
const INT32 = new Set([
  ScalarType.INT32,
  ScalarType.UINT32,
  ScalarType.SINT32,
  ScalarType.FIXED32,
  ScalarType.SFIXED32,
]);

/** Well-known types have their own proto3 JSON forms. */
const WELL_KNOWN: Record<string, Schema> = {
  "google.protobuf.Timestamp": { type: "string", format: "date-time" },
  "google.protobuf.Duration": { type: "string", pattern: "^-?[0-9]+(\\.[0-9]{1,9})?s$" },
  "google.protobuf.FieldMask": { type: "string", description: "Comma-separated lowerCamelCase field paths." },
  "google.protobuf.Empty": { type: "object" },
  "google.protobuf.Struct": { type: "object" },
  "google.protobuf.Value": {},
  "google.protobuf.Any": { type: "object", properties: { "@type": { type: "string" } } },
};

/** JSON Schema (OpenAPI 3.1 dialect) of proto3 JSON, collecting referenced messages into `components`. */
export class SchemaBuilder {
  readonly components: Record<string, Schema> = {};

  /** `descriptions`: the contracts' comments, for message, field and enum descriptions. */
  constructor(readonly descriptions: Descriptions = new Descriptions()) {}

  /** A `$ref` to the message's schema (defined on first use). */
  ref(message: DescMessage): Schema {
    const known = WELL_KNOWN[message.typeName];
    if (known) return known;
    if (!(message.typeName in this.components)) {
      this.components[message.typeName] = {}; // reserve first: messages may be recursive
      this.components[message.typeName] = this.messageSchema(message);
    }
    return { $ref: `#/components/schemas/${message.typeName}` };
  }

  /** The message's object schema, leaving out the fields named in `omit` (bound by the path). */
  messageSchema(message: DescMessage, omit: ReadonlySet<string> = new Set()): Schema {
    const properties: Record<string, Schema> = {};
    const required: string[] = [];
    for (const field of message.fields) {
      if (omit.has(field.name)) continue;
      properties[field.jsonName] = described(this.fieldSchema(field), this.descriptions.field(field));
      if (isRequired(field)) required.push(field.jsonName);
    }
    const description = this.descriptions.message(message);
    return {
      type: "object",
      title: message.name,
      ...(description ? { description } : {}),
      properties,
      ...(required.length > 0 ? { required } : {}),
      additionalProperties: false,
    };
  }

  /** The field's JSON Schema, with its protovalidate rules; null is allowed, as proto3 JSON reads it as the default. */
  fieldSchema(field: DescField): Schema {
    const rules = ruleKeywords(field);
    const base = this.#typeSchema(field);
    if ("anyOf" in rules) return orNull({ ...base, ...rules });
    return orNull(
      "$ref" in base && Object.keys(rules).length > 0 ? { allOf: [base], ...rules } : { ...base, ...rules },
    );
  }

  #typeSchema(field: DescField): Schema {
    switch (field.fieldKind) {
      case "scalar":
        return scalarSchema(field.scalar);
      case "enum":
        return this.#enumSchema(field.enum);
      case "message":
        return this.ref(field.message);
      case "list":
        return {
          type: "array",
          items:
            field.listKind === "scalar"
              ? scalarSchema(field.scalar)
              : field.listKind === "enum"
                ? this.#enumSchema(field.enum)
                : this.ref(field.message),
        };
      case "map":
        return {
          type: "object",
          additionalProperties:
            field.mapKind === "scalar"
              ? scalarSchema(field.scalar)
              : field.mapKind === "enum"
                ? this.#enumSchema(field.enum)
                : this.ref(field.message),
        };
    }
  }

  /** An enum by value name, its values' comments listed in the description. */
  #enumSchema(desc: DescEnum): Schema {
    return described(
      { type: "string", enum: desc.values.map((v) => v.name) },
      this.descriptions.enumType(desc),
    );
  }
}

/** `schema` or null: proto3 JSON accepts null for any field and reads it as the field's default. */
function orNull(schema: Schema): Schema {
  const { type, enum: values } = schema as { type?: unknown; enum?: unknown[] };
  if (typeof type === "string" && !("anyOf" in schema) && !("allOf" in schema)) {
    return { ...schema, type: [type, "null"], ...(values ? { enum: [...values, null] } : {}) };
  }
  return { anyOf: [schema, { type: "null" }] };
}

export function scalarSchema(scalar: ScalarType): Schema {
  if (scalar === ScalarType.STRING) return { type: "string" };
  if (scalar === ScalarType.BOOL) return { type: "boolean" };
  if (scalar === ScalarType.BYTES) return { type: "string", contentEncoding: "base64" };
  if (INT64.has(scalar)) return { type: "string", format: "int64", pattern: "^-?[0-9]+$" };
  if (INT32.has(scalar)) return { type: "integer", format: "int32" };
  return { type: "number" };
}
