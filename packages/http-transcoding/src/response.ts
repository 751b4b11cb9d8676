import type { DescMessage, JsonValue, Message } from "@bufbuild/protobuf";
import { toJson } from "@bufbuild/protobuf";
import type { Route } from "./routes.js";

/** The rpc's response as proto3 JSON (camelCase), or just its `response_body` field. */
export function transcodeResponse(route: Route, message: Message): JsonValue {
  const json = toJson(route.method.output as DescMessage, message) as Record<string, JsonValue>;
  if (route.responseBody === "") return json;
  const field = route.method.output.fields.find((f) => f.name === route.responseBody);
  return field ? (json[field.jsonName] ?? null) : json;
}
