import { create, type DescService, fromBinary, toBinary } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import {
  Health,
  type HealthCheckRequest,
  HealthCheckResponse_ServingStatus,
  HealthCheckResponseSchema,
} from "@switchboard/proto/grpc/health/v1/health_pb.js";
import {
  type EchoManyRequest,
  EchoManyResponseSchema,
  type EchoRequest,
  EchoResponseSchema,
  EchoService,
} from "@switchboard/proto/switchboard/echo/v1/echo_pb.js";
import {
  ImageService,
  type UploadImageRequest,
  UploadImageResponseSchema,
} from "@switchboard/proto/switchboard/image/v1/image_service_pb.js";
import { UserService } from "@switchboard/proto/switchboard/user/v1/user_service_pb.js";
import { cachedUser } from "../workload.js";

/** A grpc-js service definition from a protobuf-es descriptor: the same (de)serializers as connect's. */
export function grpcJsDefinition(service: DescService, names: string[]): grpc.ServiceDefinition {
  const definition: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
  for (const method of service.methods.filter((m) => names.includes(m.name))) {
    definition[method.name] = {
      path: `/${service.typeName}/${method.name}`,
      requestStream: method.methodKind === "client_streaming" || method.methodKind === "bidi_streaming",
      responseStream: method.methodKind === "server_streaming" || method.methodKind === "bidi_streaming",
      requestSerialize: (message: unknown) => Buffer.from(toBinary(method.input, message as never)),
      requestDeserialize: (bytes: Buffer) => fromBinary(method.input, bytes),
      responseSerialize: (message: unknown) => Buffer.from(toBinary(method.output, message as never)),
      responseDeserialize: (bytes: Buffer) => fromBinary(method.output, bytes),
    };
  }
  return definition;
}

const serving = create(HealthCheckResponseSchema, { status: HealthCheckResponse_ServingStatus.SERVING });

/** A bare @grpc/grpc-js server with the benchmark's handlers: the reference every row is divided by. */
export async function startBareGrpcJs(): Promise<{ port: number; close(): Promise<void> }> {
  const server = new grpc.Server();
  server.addService(grpcJsDefinition(Health, ["Check"]), {
    Check: (_call: grpc.ServerUnaryCall<HealthCheckRequest, unknown>, done: grpc.sendUnaryData<unknown>) =>
      done(null, serving),
  });
  server.addService(grpcJsDefinition(UserService, ["GetUser"]), {
    GetUser: (_call: grpc.ServerUnaryCall<unknown, unknown>, done: grpc.sendUnaryData<unknown>) =>
      done(null, cachedUser),
  });
  server.addService(grpcJsDefinition(EchoService, ["Echo", "EchoMany"]), {
    Echo: (call: grpc.ServerUnaryCall<EchoRequest, unknown>, done: grpc.sendUnaryData<unknown>) =>
      done(null, create(EchoResponseSchema, { text: call.request.text })),
    EchoMany: (call: grpc.ServerWritableStream<EchoManyRequest, unknown>) => {
      for (let index = 0; index < call.request.count; index++) {
        call.write(create(EchoManyResponseSchema, { text: call.request.text, index }));
      }
      call.end();
    },
  });
  server.addService(grpcJsDefinition(ImageService, ["UploadImage"]), {
    UploadImage: (
      call: grpc.ServerReadableStream<UploadImageRequest, unknown>,
      done: grpc.sendUnaryData<unknown>,
    ) => {
      let bytes = 0;
      call.on("data", (request: UploadImageRequest) => {
        if (request.data.case === "chunk") bytes += request.data.value.length;
      });
      call.on("end", () =>
        done(null, create(UploadImageResponseSchema, { image: { sizeBytes: BigInt(bytes) } })),
      );
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return { port, close: () => new Promise((resolve) => server.tryShutdown(() => resolve())) };
}
