import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Http2ServerRequest } from "node:http2";
import { TLSSocket } from "node:tls";
import { type ContextValues, createContextKey, createContextValues } from "@connectrpc/connect";
import { certifiedServiceKey, serviceNameOf } from "./auth/service-peer.js";

/** The caller's address ("ip:port"), for logs. */
export const peerKey = createContextKey<string>("unknown", { description: "peer address" });

/** The W3C trace id of the call: from the caller's `traceparent`, or a new one. */
export const traceIdKey = createContextKey<string>("", { description: "trace id" });

const TRACEPARENT = /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/;

export function traceIdFrom(traceparent: string | undefined): string {
  const match = traceparent ? TRACEPARENT.exec(traceparent.trim()) : null;
  // randomUUID draws from a cached entropy pool; randomBytes(16) was a sync syscall per call.
  return match?.[1] ?? randomUUID().replaceAll("-", "");
}

/** Per-call values taken from the HTTP request before any handler runs. */
export function requestContextValues(request: IncomingMessage | Http2ServerRequest): ContextValues {
  const socket = request.socket;
  const traceparent = request.headers.traceparent;
  return createContextValues()
    .set(peerKey, `${socket.remoteAddress ?? "?"}:${socket.remotePort ?? "?"}`)
    .set(traceIdKey, traceIdFrom(Array.isArray(traceparent) ? traceparent[0] : traceparent))
    .set(certifiedServiceKey, certifiedServiceOf(request));
}

const certifiedServices = new WeakMap<TLSSocket, string>();

/** The service a verified client certificate names (mutual TLS), read once per connection. */
function certifiedServiceOf(request: IncomingMessage | Http2ServerRequest): string {
  const socket = "stream" in request ? request.stream.session?.socket : request.socket;
  if (!(socket instanceof TLSSocket) || !socket.authorized) return "";
  let name = certifiedServices.get(socket);
  if (name === undefined) {
    name = serviceNameOf(socket.getPeerCertificate());
    certifiedServices.set(socket, name);
  }
  return name;
}
