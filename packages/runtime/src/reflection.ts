import {
  create,
  type DescFile,
  type DescService,
  fromBinary,
  type MessageInitShape,
  toBinary,
} from "@bufbuild/protobuf";
import { nestedTypes } from "@bufbuild/protobuf/reflect";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { Code, type ServiceImpl } from "@connectrpc/connect";
import {
  type ServerReflection,
  type ServerReflectionRequest,
  ServerReflectionRequestSchema,
  ServerReflectionResponseSchema,
} from "@switchboard/proto/grpc/reflection/v1/reflection_pb.js";
import {
  ServerReflectionRequestSchema as RequestV1AlphaSchema,
  ServerReflectionResponseSchema as ResponseV1AlphaSchema,
  type ServerReflection as ServerReflectionV1Alpha,
} from "@switchboard/proto/grpc/reflection/v1alpha/reflection_pb.js";

type ResponseInit = MessageInitShape<typeof ServerReflectionResponseSchema>["messageResponse"];

/**
 * Answers server reflection from the generated descriptors (no .proto files at run time),
 * so that `grpcurl list` / `describe` and `buf curl` work against any Switchboard service.
 */
export class ReflectionIndex {
  readonly #files = new Map<string, DescFile>();
  readonly #symbols = new Map<string, DescFile>();
  readonly #extensions = new Map<string, Map<number, DescFile>>();

  /** `extraFiles`: files no service imports but clients need, e.g. the error details types. */
  constructor(
    readonly services: () => readonly DescService[],
    readonly extraFiles: readonly DescFile[] = [],
  ) {}

  answer(request: ServerReflectionRequest): ResponseInit {
    this.#index();
    const { case: kind, value } = request.messageRequest;
    switch (kind) {
      case "listServices":
        return {
          case: "listServicesResponse",
          value: { service: this.services().map((service) => ({ name: service.typeName })) },
        };
      case "fileByFilename":
        return this.#files.has(value)
          ? this.#filesResponse(this.#files.get(value)!)
          : notFound(`file ${value}`);
      case "fileContainingSymbol": {
        const file = this.#symbols.get(value);
        return file ? this.#filesResponse(file) : notFound(`symbol ${value}`);
      }
      case "fileContainingExtension": {
        const file = this.#extensions.get(value.containingType)?.get(value.extensionNumber);
        return file
          ? this.#filesResponse(file)
          : notFound(`extension ${value.extensionNumber} of ${value.containingType}`);
      }
      case "allExtensionNumbersOfType": {
        if (!this.#symbols.has(value)) return notFound(`type ${value}`);
        const numbers = [...(this.#extensions.get(value)?.keys() ?? [])];
        return {
          case: "allExtensionNumbersResponse",
          value: { baseTypeName: value, extensionNumber: numbers },
        };
      }
      default:
        return {
          case: "errorResponse",
          value: { errorCode: Code.Unimplemented, errorMessage: "unknown request" },
        };
    }
  }

  /** The file and everything it imports, serialized, as reflection clients expect. */
  #filesResponse(file: DescFile): ResponseInit {
    const seen = new Set<DescFile>();
    const visit = (f: DescFile) => {
      if (seen.has(f)) return;
      seen.add(f);
      for (const dependency of f.dependencies) visit(dependency);
    };
    visit(file);
    const fileDescriptorProto = [...seen].map((f) => toBinary(FileDescriptorProtoSchema, f.proto));
    return { case: "fileDescriptorResponse", value: { fileDescriptorProto } };
  }

  #index(): void {
    if (this.#files.size > 0) return;
    const addFile = (file: DescFile) => {
      if (this.#files.has(file.proto.name)) return;
      this.#files.set(file.proto.name, file);
      for (const dependency of file.dependencies) addFile(dependency);
      const visit = (
        types: Iterable<ReturnType<typeof nestedTypes> extends Iterable<infer T> ? T : never>,
      ) => {
        for (const type of types) {
          this.#symbols.set(type.typeName, file);
          if (type.kind === "service") {
            for (const method of type.methods) this.#symbols.set(`${type.typeName}.${method.name}`, file);
          }
          if (type.kind === "message") {
            for (const field of type.fields) this.#symbols.set(`${type.typeName}.${field.name}`, file);
          }
          if (type.kind === "extension") {
            const byNumber = this.#extensions.get(type.extendee.typeName) ?? new Map<number, DescFile>();
            byNumber.set(type.number, file);
            this.#extensions.set(type.extendee.typeName, byNumber);
          }
        }
      };
      visit(nestedTypes(file));
    };
    for (const service of this.services()) addFile(service.file);
    for (const file of this.extraFiles) addFile(file);
  }
}

function notFound(what: string): ResponseInit {
  return { case: "errorResponse", value: { errorCode: Code.NotFound, errorMessage: `${what} not found` } };
}

/** `grpc.reflection.v1.ServerReflection`. */
export function reflectionService(index: ReflectionIndex): ServiceImpl<typeof ServerReflection> {
  return {
    async *serverReflectionInfo(requests) {
      for await (const request of requests) {
        yield create(ServerReflectionResponseSchema, {
          validHost: request.host,
          originalRequest: request,
          messageResponse: index.answer(request),
        });
      }
    },
  };
}

/** `grpc.reflection.v1alpha.ServerReflection`: the same messages on the wire, older name; grpcurl still asks for it. */
export function reflectionServiceV1Alpha(
  index: ReflectionIndex,
): ServiceImpl<typeof ServerReflectionV1Alpha> {
  return {
    async *serverReflectionInfo(requests) {
      for await (const legacy of requests) {
        const request = fromBinary(ServerReflectionRequestSchema, toBinary(RequestV1AlphaSchema, legacy));
        const response = create(ServerReflectionResponseSchema, {
          validHost: request.host,
          originalRequest: request,
          messageResponse: index.answer(request),
        });
        yield fromBinary(ResponseV1AlphaSchema, toBinary(ServerReflectionResponseSchema, response));
      }
    },
  };
}
