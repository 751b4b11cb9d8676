/**
 * A protobuf message → XML elements in the service's namespace, in declaration order (the order
 * of the WSDL's xsd:sequence), through its proto3 JSON form: int64 as digits, bytes as base64,
 * Timestamp as an RFC 3339 xsd:dateTime, enums by name. Every implicit field is written, so
 * clients see "" and 0 rather than nothing.
 */
import { type DescMessage, type JsonObject, type JsonValue, type Message, toJson } from "@bufbuild/protobuf";
import { valueType, type XmlType } from "../contract/xsd-types.js";
import { escapeXml } from "./escape.js";

/** `<prefix:name xmlns:prefix="namespace">…</prefix:name>` for `message`. */
export function messageToXml(
  name: string,
  message: Message,
  desc: DescMessage,
  prefix: string,
  namespace: string,
): string {
  const open = `<${prefix}:${name} xmlns:${prefix}="${escapeXml(namespace)}">`;
  return `${open}${messageFieldsXml(message, desc, prefix)}</${prefix}:${name}>`;
}

/** The field elements of `message`, without an element around them. */
export function messageFieldsXml(message: Message, desc: DescMessage, prefix: string): string {
  return fieldsXml(toJson(desc, message, { alwaysEmitImplicit: true }) as JsonObject, desc, prefix);
}

function fieldsXml(json: JsonObject, desc: DescMessage, prefix: string): string {
  let xml = "";
  const fields = desc.members.flatMap((m) => (m.kind === "oneof" ? m.fields : [m]));
  for (const field of fields) {
    const value = json[field.jsonName];
    if (value === undefined || value === null) continue;
    const type = valueType(field);
    const tag = (inner: string) => `<${prefix}:${field.jsonName}>${inner}</${prefix}:${field.jsonName}>`;
    if (field.fieldKind === "list") {
      for (const item of value as JsonValue[]) xml += tag(valueXml(item, type, prefix));
    } else if (field.fieldKind === "map") {
      for (const [key, item] of Object.entries(value as JsonObject)) {
        xml += tag(
          `<${prefix}:key>${escapeXml(key)}</${prefix}:key><${prefix}:value>${valueXml(item, type, prefix)}</${prefix}:value>`,
        );
      }
    } else {
      xml += tag(valueXml(value, type, prefix));
    }
  }
  return xml;
}

function valueXml(value: JsonValue, type: XmlType, prefix: string): string {
  if (type.kind === "message") return fieldsXml(value as JsonObject, type.desc, prefix);
  if (value === "Infinity") return "INF";
  if (value === "-Infinity") return "-INF";
  return escapeXml(String(value));
}
