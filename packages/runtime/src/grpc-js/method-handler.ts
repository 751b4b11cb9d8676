import type { PeerCertificate } from "node:tls";
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import {
  Code,
  ConnectError,
  type ContextValues,
  createHandlerContext,
  type HandlerContext,
  type Interceptor,
  type MethodImplSpec,
} from "@connectrpc/connect";
import { invokeUnaryImplementation, transformInvokeImplementation } from "@connectrpc/connect/protocol";
import type * as grpc from "@grpc/grpc-js";
import { messageGarbage } from "../message-garbage.js";
import { headersFromMetadata, metadataFromHeaders } from "./metadata.js";
import { readRequests } from "./read-requests.js";
import { serviceError } from "./status.js";
import { writeResponses } from "./write-responses.js";

/** What every call shares: the interceptors, the signal that cuts calls off, per-call values. */
export interface CallEnvironment {
  interceptors: Interceptor[];
  cutOff: AbortSignal;
  contextValues: (call: Pick<SurfaceCall, "metadata" | "getPeer" | "getAuthContext">) => ContextValues;
}

// The handler's signal is aborted when its call is over, as connect does, so leftover work
// stops. One reason built once: `abort()` without one builds a DOMException (with a stack
// trace) per call, which the profile of connect-node showed among its costliest frames.
const FINISHED = new ConnectError("the call has finished", Code.Canceled);
const CANCELLED = new ConnectError("the client cancelled the call", Code.Canceled);
const DEADLINE_PASSED = new ConnectError("the operation timed out", Code.DeadlineExceeded);
/** Timers may fire a millisecond or two before Date.now() reaches the deadline. */
const DEADLINE_SLACK_MS = 5;

/** What every kind of grpc-js call has (grpc-js does not export its own type for it). */
export interface SurfaceCall {
  readonly metadata: grpc.Metadata;
  getPeer(): string;
  /** The TLS peer's certificate, when there is one (grpc-js does not export this type). */
  getAuthContext(): { sslPeerCertificate?: PeerCertificate | undefined };
  getDeadline(): grpc.Deadline;
  sendMetadata(metadata: grpc.Metadata): void;
  once(event: "cancelled", listener: () => void): unknown;
}
type AnyCall = SurfaceCall;

/** connect's handler context for a grpc-js call: headers, deadline, cancellation, context values. */
function contextFor(spec: MethodImplSpec, call: AnyCall, env: CallEnvironment) {
  const deadline = call.getDeadline();
  const at = deadline instanceof Date ? deadline.getTime() : deadline;
  const context = createHandlerContext({
    service: spec.method.parent,
    method: spec.method,
    protocolName: "grpc",
    requestMethod: "POST",
    url: `/${spec.method.parent.typeName}/${spec.method.name}`,
    ...(Number.isFinite(at) ? { timeoutMs: at - Date.now() } : {}),
    shutdownSignal: env.cutOff,
    requestHeader: headersFromMetadata(call.metadata),
    contextValues: env.contextValues(call),
  });
  // grpc-js ends a call past its deadline itself and reports it as "cancelled", often before
  // the context's own deadline timer fires: tell the handler which of the two it was.
  call.once("cancelled", () =>
    context.abort(Date.now() >= at - DEADLINE_SLACK_MS ? DEADLINE_PASSED : CANCELLED),
  );
  return context;
}

/** Sends the handler's response headers, if it set any, ahead of the first message. */
function sendHeaders(call: Pick<SurfaceCall, "sendMetadata">, context: HandlerContext): void {
  let any = false;
  context.responseHeader.forEach(() => {
    any = true;
  });
  if (any) call.sendMetadata(metadataFromHeaders(context.responseHeader));
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
  switch (spec.kind) {
    case "unary":
      return {
        type: "unary",
        handler: (call: grpc.ServerUnaryCall<unknown, unknown>, done: grpc.sendUnaryData<unknown>) => {
          const context = contextFor(spec, call, env);
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
          const context = contextFor(spec, call, env);
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
          const context = contextFor(spec, call, env);
          const input =
            "request" in call
              ? decodedAll(single(call.request as never))
              : decodedAll(readRequests<never>(call, context.signal));
          const output = transformInvokeImplementation(spec, context, env.interceptors)(input);
          writeResponses(call, output, context.signal, () => sendHeaders(call, context))
            .then(
              () => call.end(metadataFromHeaders(context.responseTrailer)),
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
  context: ReturnType<typeof contextFor>,
  response: Promise<unknown>,
  done: grpc.sendUnaryData<unknown>,
): void {
  response
    .then(
      (message) => {
        sendHeaders(call, context);
        done(null, message, metadataFromHeaders(context.responseTrailer));
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
