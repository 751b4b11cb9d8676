import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";

/**
 * Ends a cancelled or timed-out call with the reason, never like a finished or failed one:
 * - Node's HTTP/2 server ends a request's body when the client resets the stream and aborts the
 *   call's signal only a moment later, so a handler would otherwise read a cut-off upload to its
 *   "end" and store it. After the last message, pending I/O callbacks run once; if the call was
 *   cancelled meanwhile, the handler's iteration throws instead of finishing.
 * - A handler that passes the call's signal on (`sleep(ms, v, { signal })`, `fetch`, a stream)
 *   gets an AbortError when it aborts, and rethrowing it would answer INTERNAL: the call ends with
 *   the signal's own reason (DEADLINE_EXCEEDED, CANCELED) instead.
 */
export function cancelledStreamInterceptor(): Interceptor {
  return (next) => async (request) => {
    const { signal } = request;
    try {
      const response = await next(
        request.stream ? { ...request, message: endingOnCancel(request.message, signal) } : request,
      );
      return response.stream ? { ...response, message: withAbortReason(response.message, signal) } : response;
    } catch (error) {
      throw abortReasonFor(error, signal);
    }
  };
}

async function* endingOnCancel<T>(messages: AsyncIterable<T>, signal: AbortSignal): AsyncIterable<T> {
  yield* messages;
  await new Promise((resolve) => setImmediate(resolve));
  if (signal.aborted) throw new ConnectError("the client cancelled the call", Code.Canceled);
}

async function* withAbortReason<T>(answers: AsyncIterable<T>, signal: AbortSignal): AsyncIterable<T> {
  try {
    yield* answers;
  } catch (error) {
    throw abortReasonFor(error, signal);
  }
}

/** The signal's reason for an AbortError that the call's own aborted signal caused; else the error. */
function abortReasonFor(error: unknown, signal: AbortSignal): unknown {
  return signal.aborted && error instanceof Error && error.name === "AbortError"
    ? ConnectError.from(signal.reason)
    : error;
}
