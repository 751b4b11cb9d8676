import type { FastifyReply, FastifyRequest } from "fastify";

/** Headers passed on to the backend as gRPC metadata: trace context and credentials, unchanged. */
const FORWARDED = ["traceparent", "tracestate", "authorization"];

/**
 * The metadata every backend call carries: the request id, the caller's trace context and
 * `authorization` as sent (the gateway never decides access), and `x-forwarded-for` = the client's
 * address as the gateway sees it (user-service rate-limits logins per client by it). A client's own
 * `x-forwarded-for` is never passed on: it would let anyone pick the address they are limited by.
 */
export function forwardedHeaders(request: FastifyRequest): Headers {
  return backendHeaders(request.id, request.ip, (name) => {
    const value = request.headers[name];
    return typeof value === "string" ? value : undefined;
  });
}

export function backendHeaders(
  requestId: string,
  clientAddress: string | undefined,
  header: (name: string) => string | null | undefined,
): Headers {
  const headers = new Headers({ "x-request-id": requestId });
  for (const name of FORWARDED) {
    const value = header(name);
    if (value) headers.set(name, value);
  }
  if (clientAddress) headers.set("x-forwarded-for", clientAddress);
  return headers;
}

/** An AbortSignal that fires when the HTTP client goes away before its answer, cancelling the backend call. */
export function clientGone(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once("close", () => {
    if (!reply.raw.writableFinished) controller.abort();
  });
  return controller.signal;
}
