/**
 * An XML element → a protobuf message of `desc`, by the descriptor: child elements are fields by
 * their proto3 JSON (camelCase) names, in the service's namespace. The element tree is first
 * turned into proto3 JSON, so protobuf-es does the value checks (int64 range, enum names,
 * timestamps, base64) exactly as for REST.
 */
import {
  type DescField,
  type DescMessage,
  fromJson,
  type JsonValue,
  type MessageShape,
  ScalarType,
} from "@bufbuild/protobuf";
import { valueType, type XmlType } from "../contract/xsd-types.js";
import { type XmlElement, XmlRejected } from "./xml-tree.js";

export function elementToMessage<Desc extends DescMessage>(
  element: XmlElement,
  desc: Desc,
  ns: string,
): MessageShape<Desc> {
  const json = messageJson(element, desc, ns, element.local);
  try {
    return fromJson(desc, json);
  } catch (error) {
    throw new XmlRejected(`<${element.local}>: ${(error as Error).message}`);
  }
}

function messageJson(element: XmlElement, desc: DescMessage, ns: string, path: string): JsonValue {
  if (element.text.trim() !== "") throw new XmlRejected(`${path}: text is not allowed in a ${desc.name}`);
  const fields = new Map(desc.fields.map((f) => [f.jsonName, f]));
  const json: Record<string, JsonValue> = {};
  for (const child of element.children) {
    const childPath = `${path}/${child.local}`;
    if (child.uri !== ns) throw new XmlRejected(`${childPath}: expected namespace ${ns}, got "${child.uri}"`);
    const field = fields.get(child.local);
    if (!field) throw new XmlRejected(`${childPath}: ${desc.name} has no field "${child.local}"`);
    if (field.oneof) {
      const other = field.oneof.fields.find((f) => f !== field && f.jsonName in json);
      if (other)
        throw new XmlRejected(`${childPath}: only one of ${other.jsonName} and ${field.jsonName} may be set`);
    }
    if (field.fieldKind === "list") {
      const list = (json[field.jsonName] ?? []) as JsonValue[];
      json[field.jsonName] = list;
      list.push(valueJson(child, valueType(field), ns, childPath));
    } else if (field.fieldKind === "map") {
      const map = (json[field.jsonName] ?? {}) as Record<string, JsonValue>;
      json[field.jsonName] = map;
      const [key, value] = mapEntry(child, field, ns, childPath);
      if (key in map) throw new XmlRejected(`${childPath}: key "${key}" given twice`);
      map[key] = value;
    } else {
      if (field.jsonName in json) throw new XmlRejected(`${childPath}: given twice, but it is not repeated`);
      json[field.jsonName] = valueJson(child, valueType(field), ns, childPath);
    }
  }
  return json;
}

function mapEntry(entry: XmlElement, field: DescField, ns: string, path: string): [string, JsonValue] {
  const key = entry.children.filter((c) => c.uri === ns && c.local === "key");
  const value = entry.children.filter((c) => c.uri === ns && c.local === "value");
  if (key.length !== 1 || value.length !== 1 || entry.children.length !== 2) {
    throw new XmlRejected(`${path}: a map entry has exactly one <key> and one <value>`);
  }
  return [key[0]!.text, valueJson(value[0]!, valueType(field), ns, `${path}/value`)];
}

function valueJson(element: XmlElement, type: XmlType, ns: string, path: string): JsonValue {
  if (type.kind === "message") return messageJson(element, type.desc, ns, path);
  if (element.children.length > 0) throw new XmlRejected(`${path}: a simple value cannot contain elements`);
  const text = element.text;
  if (type.kind === "enum" || type.kind === "wkt") return text.trim();
  switch (type.scalar) {
    case ScalarType.STRING:
      return text;
    case ScalarType.BYTES:
      return text.replace(/\s+/g, "");
    case ScalarType.BOOL: {
      const value = text.trim();
      if (value === "true" || value === "1") return true;
      if (value === "false" || value === "0") return false;
      throw new XmlRejected(`${path}: "${value}" is not an xsd:boolean`);
    }
    case ScalarType.FLOAT:
    case ScalarType.DOUBLE: {
      const value = text.trim();
      return value === "INF" ? "Infinity" : value === "-INF" ? "-Infinity" : value;
    }
    default:
      // Integers travel as strings, as proto3 JSON allows: int64 keeps every digit.
      return text.trim();
  }
}
