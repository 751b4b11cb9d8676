import { type DescService, fromBinary, toBinary } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";

/**
 * A stock @grpc/grpc-js client — no Connect code — built from the same generated descriptors:
 * paths, streaming kinds and (de)serializers come from the DescService. Methods are named as
 * in the .proto (`GetUser`), with grpc-js's callback and stream APIs.
 */
export function grpcJsClient(
  service: DescService,
  address: string,
  options: grpc.ClientOptions = {},
  credentials: grpc.ChannelCredentials = grpc.credentials.createInsecure(),
): grpc.Client & Record<string, (...args: never[]) => unknown> {
  const definition: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
  for (const method of service.methods) {
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
  const Constructor = grpc.makeGenericClientConstructor(definition, service.name);
  return new Constructor(address, credentials, options) as never;
}

/** Promise form of a grpc-js unary call. */
export function unary<Res>(
  client: grpc.Client & Record<string, (...args: never[]) => unknown>,
  method: string,
  request: unknown,
  deadlineMs = 5_000,
): Promise<Res> {
  return new Promise((resolve, reject) => {
    const call = client[method] as unknown as (
      request: unknown,
      options: grpc.CallOptions,
      callback: (error: grpc.ServiceError | null, response: Res) => void,
    ) => void;
    call.call(client, request, { deadline: Date.now() + deadlineMs }, (error, response) =>
      error ? reject(error) : resolve(response),
    );
  });
}

/** A grpc-js client interceptor sending `authorization: Bearer <token>` (ClientOptions.interceptors). */
export function grpcJsBearer(token: string): grpc.Interceptor {
  return (options, nextCall) =>
    new grpc.InterceptingCall(nextCall(options), {
      start(metadata, listener, next) {
        metadata.set("authorization", `Bearer ${token}`);
        next(metadata, listener);
      },
    });
}
