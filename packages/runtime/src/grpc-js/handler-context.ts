import type { PeerCertificate } from "node:tls";
import {
  Code,
  ConnectError,
  type ContextValues,
  type HandlerContext,
  type MethodImplSpec,
} from "@connectrpc/connect";
import type * as grpc from "@grpc/grpc-js";
import { headersFromMetadata } from "./metadata.js";

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

/** A call's handler context, with what the kit needs to end it. */
export interface CallContext extends HandlerContext {
  /** Aborts the handler's signal (once: later reasons are ignored). */
  abort(reason: ConnectError): void;
}

/** Calls in flight, so that a server cut off at the end of its drain can abort their handlers. */
export class LiveCalls {
  readonly #calls = new Set<AbortController>();

  add(controller: AbortController): void {
    this.#calls.add(controller);
  }

  delete(controller: AbortController): void {
    this.#calls.delete(controller);
  }

  abortAll(reason: ConnectError): void {
    for (const controller of this.#calls) controller.abort(reason);
    this.#calls.clear();
  }
}

const CANCELLED = new ConnectError("the client cancelled the call", Code.Canceled);
const DEADLINE_PASSED = new ConnectError("the operation timed out", Code.DeadlineExceeded);
/** Timers may fire a millisecond or two before Date.now() reaches the deadline. */
const DEADLINE_SLACK_MS = 5;

/**
 * connect's HandlerContext for a grpc-js call, built for what a call uses. connect's own
 * createHandlerContext does more per call than a grpc-js call needs: it copies the request's
 * headers once more, starts a deadline timer beside grpc-js's own, and links abort listeners on a
 * signal every call shares. Here the deadline is grpc-js's (it cancels the call, and the
 * "cancelled" event says which it was), and a server cut off aborts its live calls from one set.
 * A plain object, no getters: connect copies the context into every handler's with Object.assign.
 */
export function grpcJsHandlerContext(
  spec: MethodImplSpec,
  url: string,
  call: SurfaceCall,
  values: ContextValues,
  live: LiveCalls,
): CallContext {
  const controller = new AbortController();
  live.add(controller);
  const deadline = call.getDeadline();
  const at = deadline instanceof Date ? deadline.getTime() : deadline;
  const context: CallContext = {
    service: spec.method.parent,
    method: spec.method,
    protocolName: "grpc",
    requestMethod: "POST",
    url,
    signal: controller.signal,
    timeoutMs: Number.isFinite(at) ? () => at - Date.now() : () => undefined,
    requestHeader: headersFromMetadata(call.metadata),
    responseHeader: new Headers(),
    responseTrailer: new Headers(),
    values,
    abort(reason) {
      live.delete(controller);
      if (!controller.signal.aborted) controller.abort(reason);
    },
  };
  // grpc-js ends a call past its deadline itself and reports it as "cancelled".
  call.once("cancelled", () =>
    context.abort(Date.now() >= at - DEADLINE_SLACK_MS ? DEADLINE_PASSED : CANCELLED),
  );
  return context;
}

/** Whether `headers` has any entry (without building a list of them). */
export function hasAny(headers: Headers): boolean {
  for (const _ of headers.keys()) return true;
  return false;
}
