import type { FastifyReply, FastifyRequest } from "fastify";

/** Headers passed on to the backend as gRPC metadata: the request id, trace context and credentials. */
const FORWARDED = ["traceparent", "tracestate", "authorization"];

export function forwardedHeaders(request: FastifyRequest): Headers {
  const headers = new Headers({ "x-request-id": request.id });
  for (const name of FORWARDED) {
    const value = request.headers[name];
    if (typeof value === "string") headers.set(name, value);
  }
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
