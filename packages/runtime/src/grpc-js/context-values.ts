import { type ContextValues, createContextValues } from "@connectrpc/connect";
import { certifiedServiceKey, serviceNameOf } from "../auth/service-peer.js";
import { peerKey, traceIdFrom, traceIdKey } from "../context.js";
import type { SurfaceCall } from "./handler-context.js";

/**
 * The per-call values the kit's interceptors read (peer, trace id, and under mutual TLS the service
 * the client certificate names), from a grpc-js call.
 */
export function grpcJsContextValues(
  call: Pick<SurfaceCall, "metadata" | "getPeer" | "getAuthContext">,
  mutualTls = false,
): ContextValues {
  const [traceparent] = call.metadata.get("traceparent");
  const values = createContextValues()
    .set(peerKey, call.getPeer())
    .set(traceIdKey, traceIdFrom(typeof traceparent === "string" ? traceparent : undefined));
  if (mutualTls) values.set(certifiedServiceKey, serviceNameOf(call.getAuthContext().sslPeerCertificate));
  return values;
}
