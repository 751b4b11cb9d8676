import { type ContextValues, createContextValues } from "@connectrpc/connect";
import { peerKey, traceIdFrom, traceIdKey } from "../context.js";
import type { SurfaceCall } from "./method-handler.js";

/** The per-call values the kit's interceptors read (peer, trace id), from a grpc-js call. */
export function grpcJsContextValues(call: Pick<SurfaceCall, "metadata" | "getPeer">): ContextValues {
  const [traceparent] = call.metadata.get("traceparent");
  return createContextValues()
    .set(peerKey, call.getPeer())
    .set(traceIdKey, traceIdFrom(typeof traceparent === "string" ? traceparent : undefined));
}
