import {
  type DescField,
  type DescMessage,
  fromJson,
  type JsonObject,
  type JsonValue,
  type Message,
} from "@bufbuild/protobuf";
import { BadRequestError, type FieldViolation, violationFromJsonError } from "./bad-request.js";
import { acceptsText, jsonFromText } from "./query-value.js";
import type { Route } from "./routes.js";
import { deriveUpdateMask } from "./update-mask.js";

export interface HttpRequestParts {
  /** Path variable bindings from matchRoute. */
  bindings: Map<string, string>;
  /** The query string's parameters, repeated keys kept. */
  query: URLSearchParams;
  /** The parsed JSON body, or undefined when there is none. */
  body: JsonValue | undefined;
}

/**
 * Builds the rpc's request message from the HTTP request as google.api.http says: the body (all of
 * it, or one field), then the path variables (which win), then query parameters for every other
 * field. Anything unknown or malformed is a BadRequestError listing every violation.
 */
export function transcodeRequest<M extends Message>(route: Route, parts: HttpRequestParts): M {
  const input = route.method.input;
  const violations: FieldViolation[] = [];
  let json: JsonObject = {};
  if (route.body === "*") {
    if (parts.body !== undefined) {
      if (!isObject(parts.body))
        throw new BadRequestError([{ field: "", description: "the body must be a JSON object" }]);
      json = { ...parts.body };
    }
  } else if (route.body !== "") {
    const field = input.fields.find((f) => f.name === route.body)!;
    if (parts.body !== undefined) json[field.jsonName] = parts.body;
  }

  for (const [path, text] of parts.bindings) {
    const fields = resolve(input, path.split("."));
    if (!fields) continue; // routesOf checked every variable
    setAt(json, fields, jsonFromText(fields[fields.length - 1]!, text));
  }

  const given = new Set<string>();
  for (const key of new Set(parts.query.keys())) {
    const values = parts.query.getAll(key);
    const violation = queryViolation(route, key, parts.bindings);
    if (violation) {
      violations.push(violation);
      continue;
    }
    const fields = resolve(input, key.split("."))!;
    const leaf = fields[fields.length - 1]!;
    const badEnum = unknownEnumValue(leaf, values);
    if (badEnum) {
      violations.push({ field: key, description: badEnum });
      continue;
    }
    given.add(fields.map((f) => f.name).join("."));
    if (leaf.fieldKind === "list")
      setAt(
        json,
        fields,
        values.map((v) => jsonFromText(leaf, v)),
      );
    else if (leaf.fieldKind === "message" && leaf.message.typeName === "google.protobuf.FieldMask")
      setAt(json, fields, values.join(","));
    else if (values.length > 1)
      violations.push({ field: key, description: "given more than once but not repeated" });
    else setAt(json, fields, jsonFromText(leaf, values[0]!));
  }
  if (violations.length > 0) throw new BadRequestError(violations);

  deriveUpdateMask(route, json, given);
  try {
    return fromJson(input, json) as M;
  } catch (error) {
    throw new BadRequestError([violationFromJsonError(error)]);
  }
}

function queryViolation(
  route: Route,
  key: string,
  bindings: Map<string, string>,
): FieldViolation | undefined {
  if (route.body === "*")
    return { field: key, description: "unknown query parameter: the body carries the whole request" };
  const fields = resolve(route.method.input, key.split("."));
  if (!fields) return { field: key, description: "unknown query parameter" };
  const path = fields.map((f) => f.name).join(".");
  if (bindings.has(path)) return { field: key, description: "already bound by the path" };
  if (route.body !== "" && fields[0]!.name === route.body)
    return { field: key, description: "carried by the body" };
  if (!acceptsText(fields[fields.length - 1]!))
    return { field: key, description: "cannot be set from a query parameter (send it in a body)" };
  return undefined;
}

/** Enum values must be known names (or numbers): fromJson's own error would not name the field. */
function unknownEnumValue(field: DescField, values: string[]): string | undefined {
  const enumDesc =
    field.fieldKind === "enum"
      ? field.enum
      : field.fieldKind === "list" && field.listKind === "enum"
        ? field.enum
        : undefined;
  if (!enumDesc) return undefined;
  const names = enumDesc.values.map((v) => v.name);
  const bad = values.find((v) => !/^-?\d+$/.test(v) && !names.includes(v));
  return bad === undefined ? undefined : `unknown value "${bad}": one of ${names.join(", ")}`;
}

/** The fields a dotted path names (proto or JSON names), or undefined if any step is unknown. */
export function resolve(message: DescMessage, path: string[]): DescField[] | undefined {
  const fields: DescField[] = [];
  let current: DescMessage | undefined = message;
  for (const name of path) {
    const field: DescField | undefined = current?.fields.find((f) => f.name === name || f.jsonName === name);
    if (!field) return undefined;
    fields.push(field);
    current = field.fieldKind === "message" ? field.message : undefined;
  }
  return fields;
}

/** Sets a value at a field path in proto3 JSON, replacing either spelling of the same key. */
function setAt(json: JsonObject, fields: DescField[], value: JsonValue): void {
  let node = json;
  for (const [i, field] of fields.entries()) {
    const existing = node[field.jsonName] ?? node[field.name];
    delete node[field.name];
    if (i === fields.length - 1) {
      node[field.jsonName] = value;
      return;
    }
    const child: JsonObject = isObject(existing) ? { ...existing } : {};
    node[field.jsonName] = child;
    node = child;
  }
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
