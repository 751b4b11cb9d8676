import type { DescMessage, JsonObject } from "@bufbuild/protobuf";
import type { Route } from "./routes.js";

/**
 * PATCH with a body field and an `update_mask` the client did not send: the mask becomes the
 * fields the body names (leaf paths, nested messages walked), as grpc-gateway does. Without this a
 * partial JSON body would be a full replacement.
 */
export function deriveUpdateMask(route: Route, json: JsonObject, given: Set<string>): void {
  if (route.httpMethod !== "PATCH" || route.body === "" || route.body === "*") return;
  const input = route.method.input;
  const mask = input.fields.find(
    (f) => f.fieldKind === "message" && f.message.typeName === "google.protobuf.FieldMask",
  );
  const bodyField = input.fields.find((f) => f.name === route.body);
  if (!mask || given.has(mask.name) || bodyField?.fieldKind !== "message") return;
  const body = json[bodyField.jsonName];
  if (typeof body !== "object" || body === null || Array.isArray(body)) return;
  // Path variables inside the body field (e.g. {user.id}) identify the resource; they are not changes.
  const bound = new Set(
    route.template.variables
      .filter((v) => v.fieldPath[0] === route.body)
      .map((v) => v.fieldPath.slice(1).join(".")),
  );
  const paths = leafPaths(bodyField.message, body, "").filter((p) => !bound.has(p));
  json[mask.jsonName] = paths.map(snakeToCamelPath).join(",");
}

function leafPaths(message: DescMessage, json: JsonObject, prefix: string): string[] {
  const paths: string[] = [];
  for (const [key, value] of Object.entries(json)) {
    const field = message.fields.find((f) => f.name === key || f.jsonName === key);
    if (!field) {
      paths.push(prefix + key); // unknown: fromJson will name it
      continue;
    }
    const nested =
      field.fieldKind === "message" &&
      !field.message.typeName.startsWith("google.protobuf.") &&
      typeof value === "object" &&
      value !== null &&
      !Array.isArray(value);
    if (nested) paths.push(...leafPaths(field.message, value as JsonObject, `${prefix}${field.name}.`));
    else paths.push(prefix + field.name);
  }
  return paths;
}

/** FieldMask's JSON form is lowerCamelCase paths joined by commas. */
function snakeToCamelPath(path: string): string {
  return path.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}
