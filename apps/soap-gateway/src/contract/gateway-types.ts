/**
 * The few types the gateway adds to a service's contract, built as protobuf descriptors in the
 * service's own package so that the WSDL, the XML reader and the XML writer treat them exactly
 * like the contract's messages: a page of a server stream, a whole client-streamed upload, and
 * the gRPC status a Fault carries.
 */
import {
  create,
  createFileRegistry,
  type DescFile,
  type DescMessage,
  type DescService,
  type MessageInitShape,
} from "@bufbuild/protobuf";
import {
  type FieldDescriptorProtoSchema,
  FileDescriptorProtoSchema,
  FieldDescriptorProto_Label as Label,
  FieldDescriptorProto_Type as Type,
} from "@bufbuild/protobuf/wkt";

export interface GatewayField {
  name: string;
  jsonName: string;
  type: "string" | "int32" | "bytes" | { message: string };
  repeated?: boolean;
}

export interface GatewayMessage {
  name: string;
  doc: string;
  fields: (GatewayField & { doc: string })[];
}

const GRPC_STATUS: GatewayMessage[] = [
  {
    name: "GrpcStatus",
    doc: "The gRPC status behind a SOAP Fault: the same code, name and message a gRPC client gets.",
    fields: [
      {
        name: "code",
        jsonName: "code",
        type: "int32",
        doc: "The status code number (google.rpc.Code), e.g. 5.",
      },
      {
        name: "code_name",
        jsonName: "codeName",
        type: "string",
        doc: "The status code name, e.g. NOT_FOUND.",
      },
      { name: "message", jsonName: "message", type: "string", doc: "What went wrong, for people." },
      {
        name: "field_violations",
        jsonName: "fieldViolations",
        type: { message: "GrpcFieldViolation" },
        repeated: true,
        doc: "For INVALID_ARGUMENT: each offending field and why (google.rpc.BadRequest).",
      },
    ],
  },
  {
    name: "GrpcFieldViolation",
    doc: "One offending field of an invalid request.",
    fields: [
      { name: "field", jsonName: "field", type: "string", doc: 'Path of the field, e.g. "user.email".' },
      { name: "description", jsonName: "description", type: "string", doc: "Why it is invalid." },
    ],
  },
];

/** Builds `extra` (plus GrpcStatus) as messages of `service`'s package, resolving names there. */
export function gatewayTypes(service: DescService, extra: GatewayMessage[]) {
  const pkg = service.file.proto.package;
  const all = [...GRPC_STATUS, ...extra];
  const fieldProto = (
    field: GatewayField,
    number: number,
  ): MessageInitShape<typeof FieldDescriptorProtoSchema> => ({
    name: field.name,
    jsonName: field.jsonName,
    number,
    label: field.repeated ? Label.REPEATED : Label.OPTIONAL,
    ...(typeof field.type === "string"
      ? { type: { string: Type.STRING, int32: Type.INT32, bytes: Type.BYTES }[field.type] }
      : { type: Type.MESSAGE, typeName: `.${pkg}.${field.type.message}` }),
  });
  const fileProto = create(FileDescriptorProtoSchema, {
    name: `soap-gateway/${pkg.replaceAll(".", "/")}/gateway.proto`,
    package: pkg,
    syntax: "proto3",
    dependency: [service.file.name + ".proto", ...service.file.dependencies.map((d) => `${d.name}.proto`)],
    messageType: all.map((m) => ({ name: m.name, field: m.fields.map((f, i) => fieldProto(f, i + 1)) })),
  });
  const known = new Map<string, DescFile>();
  const remember = (file: DescFile) => {
    known.set(`${file.name}.proto`, file);
    for (const dep of file.dependencies) remember(dep);
  };
  remember(service.file);
  const registry = createFileRegistry(fileProto, (name) => known.get(name));
  const message = (name: string): DescMessage => {
    const desc = registry.getMessage(`${pkg}.${name}`);
    if (!desc) throw new Error(`gateway type ${pkg}.${name} was not built`);
    return desc;
  };
  const docs = new Map<string, string>();
  for (const m of all) {
    docs.set(`${pkg}.${m.name}`, m.doc);
    for (const f of m.fields) docs.set(`${pkg}.${m.name}.${f.name}`, f.doc);
  }
  return { message, docs, grpcStatus: message("GrpcStatus") };
}
