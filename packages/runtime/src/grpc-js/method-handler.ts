import { fromBinary, toBinary } from "@bufbuild/protobuf";
import {
  Code,
  ConnectError,
  type ContextValues,
  type Interceptor,
  type MethodImplSpec,
} from "@connectrpc/connect";
import { invokeUnaryImplementation, transformInvokeImplementation } from "@connectrpc/connect/protocol";
import type * as grpc from "@grpc/grpc-js";
import { messageGarbage } from "../message-garbage.js";
import {
  type CallContext,
  grpcJsHandlerContext,
  hasAny,
  type LiveCalls,
  type SurfaceCall,
} from "./handler-context.js";
import { metadataFromHeaders } from "./metadata.js";
import { readRequests } from "./read-requests.js";
import { serviceError } from "./status.js";
import { writeResponses } from "./write-responses.js";

/** What every call shares: the interceptors, the calls in flight, per-call values. */
export interface CallEnvironment {
  interceptors: Interceptor[];
  live: LiveCalls;
  contextValues: (call: Pick<SurfaceCall, "metadata" | "getPeer" | "getAuthContext">) => ContextValues;
}

// The handler's signal is aborted when its call is over, as connect does, so leftover work
// stops. One reason built once: `abort()` without one builds a DOMException (with a stack
// trace) per call, which the profile of connect-node showed among its costliest frames.
const FINISHED = new ConnectError("the call has finished", Code.Canceled);

/** Sends the handler's response headers, if it set any, ahead of the first message. */
function sendHeaders(call: Pick<SurfaceCall, "sendMetadata">, context: CallContext): void {
  if (hasAny(context.responseHeader)) call.sendMetadata(metadataFromHeaders(context.responseHeader));
}

/** The trailers to send with the status: none unless the handler or an interceptor set some. */
function trailersOf(context: CallContext): grpc.Metadata | undefined {
  return hasAny(context.responseTrailer) ? metadataFromHeaders(context.responseTrailer) : undefined;
}

async function* single<T>(message: T) {
  yield message;
}

type Handler = grpc.UntypedHandleCall;

/** The grpc-js handler for one connect method implementation: same interceptors, same errors. */
export function methodHandler(
  spec: MethodImplSpec,
  env: CallEnvironment,
): { type: string; handler: Handler } {
  const url = `/${spec.method.parent.typeName}/${spec.method.name}`;
  const contextFor = (call: SurfaceCall) =>
    grpcJsHandlerContext(spec, url, call, env.contextValues(call), env.live);
  switch (spec.kind) {
    case "unary":
      return {
        type: "unary",
        handler: (call: grpc.ServerUnaryCall<unknown, unknown>, done: grpc.sendUnaryData<unknown>) => {
          const context = contextFor(call);
          const response = decoded(call.request).then((request) =>
            invokeUnaryImplementation(spec, context, request as never, env.interceptors),
          );
          answerOnce(call, context, response, done);
        },
      };
    case "client_streaming":
      return {
        type: "clientStream",
        handler: (call: grpc.ServerReadableStream<unknown, unknown>, done: grpc.sendUnaryData<unknown>) => {
          const context = contextFor(call);
          const input = decodedAll(readRequests<never>(call, context.signal));
          const response = (async () => {
            // Read the output to its end (one message), so interceptors' trailers are copied too.
            let response: unknown;
            for await (const message of transformInvokeImplementation(
              spec,
              context,
              env.interceptors,
            )(input)) {
              response ??= message;
            }
            if (response === undefined) {
              throw new ConnectError("the handler returned no response", Code.Internal);
            }
            return response;
          })();
          answerOnce(call, context, response, done);
        },
      };
    case "server_streaming":
    case "bidi_streaming":
      return {
        type: spec.kind === "server_streaming" ? "serverStream" : "bidi",
        handler: (
          call: grpc.ServerWritableStream<unknown, unknown> | grpc.ServerDuplexStream<unknown, unknown>,
        ) => {
          const context = contextFor(call);
          const input =
            "request" in call
              ? decodedAll(single(call.request as never))
              : decodedAll(readRequests<never>(call, context.signal));
          const output = transformInvokeImplementation(spec, context, env.interceptors)(input);
          writeResponses(call, output, context.signal, () => sendHeaders(call, context))
            .then(
              () => call.end(trailersOf(context)),
              (error) => {
                if (!call.cancelled) call.emit("error", serviceError(error, context.responseTrailer));
              },
            )
            .finally(() => context.abort(FINISHED));
        },
      };
  }
}

/** Sends a single-response call's answer (headers, message, trailers) or its error, then ends its context. */
function answerOnce(
  call: grpc.ServerUnaryCall<unknown, unknown> | grpc.ServerReadableStream<unknown, unknown>,
  context: CallContext,
  response: Promise<unknown>,
  done: grpc.sendUnaryData<unknown>,
): void {
  response
    .then(
      (message) => {
        sendHeaders(call, context);
        done(null, message, trailersOf(context));
      },
      (error) => done(serviceError(error, context.responseTrailer)),
    )
    .finally(() => context.abort(FINISHED));
}

/**
 * A request that is not valid protobuf. grpc-js answers a deserializer that throws with INTERNAL,
 * which reads as a server fault; the deserializer returns this instead, and the call answers
 * INVALID_ARGUMENT (as GrpcServer does): the client sent it.
 */
class UndecodableRequest {
  constructor(readonly reason: string) {}
}

async function decoded<T>(request: T | UndecodableRequest): Promise<T> {
  if (request instanceof UndecodableRequest) {
    throw new ConnectError(`request cannot be decoded: ${request.reason}`, Code.InvalidArgument);
  }
  return request;
}

async function* decodedAll<T>(requests: AsyncIterable<T | UndecodableRequest>): AsyncGenerator<T> {
  for await (const request of requests) yield await decoded(request);
}

/** protobuf-es (de)serializers for grpc-js, from the method's descriptors. */
export function serializers(spec: MethodImplSpec) {
  const { input, output } = spec.method;
  return {
    serialize: (message: unknown) => {
      const bytes = toBinary(output, message as never);
      messageGarbage.passed(bytes.byteLength);
      // A view, not a copy: grpc-js copies it into its frame anyway.
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    },
    deserialize: (bytes: Buffer): unknown => {
      messageGarbage.passed(bytes.byteLength);
      try {
        return fromBinary(input, bytes);
      } catch (error) {
        return new UndecodableRequest(error instanceof Error ? error.message : String(error));
      }
    },
  };
}
