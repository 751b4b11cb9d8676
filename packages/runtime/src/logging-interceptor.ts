import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import type { Logger } from "pino";
import { type Caller, callerKey } from "./auth/caller.js";
import { peerKey, traceIdKey } from "./context.js";

const SERVER_FAULTS = new Set([Code.Internal, Code.Unknown, Code.DataLoss]);

/** One log line per RPC when it ends: method, status code, duration, peer, trace id and caller. */
export function loggingInterceptor(logger: Logger): Interceptor {
  return (next) => async (request) => {
    const started = performance.now();
    const log = (error?: unknown) => {
      // A call the client abandoned fails inside the handler with whatever the aborted I/O threw;
      // the handler's signal says why (cancelled, or past its deadline).
      const failure =
        error === undefined
          ? undefined
          : request.signal.aborted && !(error instanceof ConnectError)
            ? ConnectError.from(request.signal.reason ?? error, Code.Canceled)
            : ConnectError.from(error);
      const serverFault = failure !== undefined && SERVER_FAULTS.has(failure.code);
      // At LOG_LEVEL=warn and above only faults are written: skip building the line for the rest.
      if (!serverFault && !logger.isLevelEnabled("info")) return;
      const code = failure ? Code[failure.code] : "OK";
      const line = {
        rpc: `${request.service.typeName}/${request.method.name}`,
        code,
        durationMs: Math.round((performance.now() - started) * 10) / 10,
        peer: request.contextValues.get(peerKey),
        traceId: request.contextValues.get(traceIdKey),
        ...callerField(request.contextValues.get(callerKey)),
        // A gateway's X-Request-Id, so one HTTP request can be followed into the service's log.
        ...(request.header.get("x-request-id") ? { requestId: request.header.get("x-request-id") } : {}),
        ...(failure ? { error: failure.rawMessage } : {}),
      };
      if (serverFault) logger.error(line, "rpc failed");
      else logger.info(line, "rpc");
    };
    let response: Awaited<ReturnType<typeof next>>;
    try {
      response = await next(request);
    } catch (error) {
      log(error);
      throw error;
    }
    if (!response.stream) {
      log();
      return response;
    }
    const messages = response.message;
    return {
      ...response,
      message: (async function* () {
        let failure: unknown;
        let completed = false;
        try {
          yield* messages;
          completed = true;
        } catch (error) {
          failure = error;
          throw error;
        } finally {
          // Ended early (the client went away) when neither completed nor failed.
          log(
            completed
              ? undefined
              : (failure ?? new ConnectError("the client cancelled the stream", Code.Canceled)),
          );
        }
      })(),
    };
  };
}

/** Who called, as the auth interceptor found (nothing for anonymous callers): "user:<id>" or "service:<name>". */
function callerField(caller: Caller): { caller?: string } {
  if (caller.kind === "user") return { caller: `user:${caller.userId}` };
  if (caller.kind === "service") return { caller: `service:${caller.service}` };
  return {};
}
