/**
 * How a protobuf type appears in XML: the one table the WSDL, the reader and the writer share.
 * Scalars map to the XSD type whose value space holds them (int64 → xsd:long, so
 * 9007199254740993 survives); Timestamp is an xsd:dateTime and FieldMask its proto3 JSON string.
 */
import { type DescEnum, type DescField, type DescMessage, ScalarType } from "@bufbuild/protobuf";

export type XmlType =
  | { kind: "scalar"; xsd: string; scalar: ScalarType }
  | { kind: "wkt"; xsd: string; message: DescMessage }
  | { kind: "enum"; desc: DescEnum }
  | { kind: "message"; desc: DescMessage };

const SCALAR_XSD: Record<ScalarType, string> = {
  [ScalarType.DOUBLE]: "xsd:double",
  [ScalarType.FLOAT]: "xsd:float",
  [ScalarType.INT64]: "xsd:long",
  [ScalarType.SINT64]: "xsd:long",
  [ScalarType.SFIXED64]: "xsd:long",
  [ScalarType.UINT64]: "xsd:unsignedLong",
  [ScalarType.FIXED64]: "xsd:unsignedLong",
  [ScalarType.INT32]: "xsd:int",
  [ScalarType.SINT32]: "xsd:int",
  [ScalarType.SFIXED32]: "xsd:int",
  [ScalarType.UINT32]: "xsd:unsignedInt",
  [ScalarType.FIXED32]: "xsd:unsignedInt",
  [ScalarType.BOOL]: "xsd:boolean",
  [ScalarType.STRING]: "xsd:string",
  [ScalarType.BYTES]: "xsd:base64Binary",
};

/** Well-known types written as one simple value (their proto3 JSON form is a string). */
const WKT_XSD: Record<string, string> = {
  "google.protobuf.Timestamp": "xsd:dateTime",
  "google.protobuf.Duration": "xsd:string",
  "google.protobuf.FieldMask": "xsd:string",
};

export function scalarType(scalar: ScalarType): XmlType {
  return { kind: "scalar", xsd: SCALAR_XSD[scalar], scalar };
}

export function messageType(desc: DescMessage): XmlType {
  const wkt = WKT_XSD[desc.typeName];
  if (wkt) return { kind: "wkt", xsd: wkt, message: desc };
  if (desc.typeName.startsWith("google.protobuf.")) {
    throw new Error(`${desc.typeName} has no SOAP mapping yet`);
  }
  return { kind: "message", desc };
}

/** The XML type of one value of `field` (an element of a list; the value of a map entry). */
export function valueType(field: DescField): XmlType {
  switch (field.fieldKind) {
    case "scalar":
      return scalarType(field.scalar);
    case "enum":
      return { kind: "enum", desc: field.enum };
    case "message":
      return messageType(field.message);
    case "list":
      return field.listKind === "scalar"
        ? scalarType(field.scalar)
        : field.listKind === "enum"
          ? { kind: "enum", desc: field.enum }
          : messageType(field.message);
    case "map":
      return field.mapKind === "scalar"
        ? scalarType(field.scalar)
        : field.mapKind === "enum"
          ? { kind: "enum", desc: field.enum }
          : messageType(field.message);
  }
}

/** Whether the field occurs any number of times (lists, and maps as key/value entries). */
export function isRepeated(field: DescField): boolean {
  return field.fieldKind === "list" || field.fieldKind === "map";
}
