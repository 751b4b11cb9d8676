import type { DescMethod, DescMethodStreaming, DescMethodUnary } from "@bufbuild/protobuf";
import {
  type ConnectRouter,
  createContextKey,
  createContextValues,
  type HandlerContext,
} from "@connectrpc/connect";
import type { FastifyRequest } from "fastify";
import type { Backend } from "../backends.js";
import { backendHeaders } from "../forwarded-headers.js";
import type { LimitTable, RouteLimits } from "../route-limits.js";

/** The HTTP request behind a proxied call (its id and the client's address), set by `proxyContext`. */
const httpRequestKey = createContextKey<{ id: string; ip: string } | undefined>(undefined);

/** fastifyConnectPlugin's `contextValues`: hands each proxied call the request it came in on. */
export function proxyContext(request: FastifyRequest) {
  return createContextValues().set(httpRequestKey, { id: request.id, ip: request.ip });
}

/**
 * Connect, gRPC-Web and gRPC on the gateway's port for every backend service: each rpc is passed
 * on over the backend's transport as it is (all four call kinds), errors and details unchanged.
 */
export function connectProxy(router: ConnectRouter, backends: Backend[], limits: LimitTable) {
  for (const backend of backends)
    for (const service of backend.services)
      for (const method of service.methods)
        router.rpc(method, forward(backend, method, limits.ofRpc(method)) as never);
}

/**
 * The deadline passed on: the table's for the rpc (route-limits.ts), or the client's when it is
 * sooner; a subscription's only the client's (0: none).
 */
export function deadlineOf(limits: RouteLimits, clientTimeoutMs: number | undefined): number {
  if (limits.openEnded) return clientTimeoutMs ?? 0;
  return Math.min(limits.timeoutMs, clientTimeoutMs ?? Number.POSITIVE_INFINITY);
}

function forward(backend: Backend, method: DescMethod, limits: RouteLimits) {
  // The same metadata as the REST routes send: authorization unchanged, the client's address.
  const headersOf = (context: HandlerContext) => {
    const request = context.values.get(httpRequestKey);
    return backendHeaders(
      request?.id ?? context.requestHeader.get("x-request-id") ?? "",
      request?.ip,
      (name) => context.requestHeader.get(name),
    );
  };
  const timeout = (context: HandlerContext) => deadlineOf(limits, context.timeoutMs());
  switch (method.methodKind) {
    case "unary":
      return async (request: never, context: HandlerContext) =>
        (
          await backend.transport.unary(
            method as DescMethodUnary,
            context.signal,
            timeout(context),
            headersOf(context),
            request,
          )
        ).message;
    case "server_streaming":
      return async function* (request: never, context: HandlerContext) {
        const response = await backend.transport.stream(
          method as DescMethodStreaming,
          context.signal,
          timeout(context),
          headersOf(context),
          one(request),
        );
        yield* response.message;
      };
    case "client_streaming":
      return async (requests: AsyncIterable<never>, context: HandlerContext) => {
        const response = await backend.transport.stream(
          method as DescMethodStreaming,
          context.signal,
          timeout(context),
          headersOf(context),
          requests,
        );
        let last: unknown;
        for await (const message of response.message) last = message;
        return last;
      };
    case "bidi_streaming":
      return async function* (requests: AsyncIterable<never>, context: HandlerContext) {
        const response = await backend.transport.stream(
          method as DescMethodStreaming,
          context.signal,
          timeout(context),
          headersOf(context),
          requests,
        );
        yield* response.message;
      };
  }
}

async function* one<T>(value: T) {
  yield value;
}
