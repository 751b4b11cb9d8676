import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";

/**
 * Makes a cancelled client stream end in CANCELED, never like a finished one. Node's HTTP/2 server
 * ends a request's body when the client resets the stream and aborts the call's signal only a
 * moment later, so a handler would otherwise read a cut-off upload to its "end" and store it.
 * After the last message, pending I/O callbacks run once; if the call was cancelled meanwhile,
 * the handler's iteration throws instead of finishing.
 */
export function cancelledStreamInterceptor(): Interceptor {
  return (next) => async (request) => {
    if (!request.stream) return next(request);
    const messages = request.message;
    const { signal } = request;
    return next({
      ...request,
      message: (async function* () {
        yield* messages;
        await new Promise((resolve) => setImmediate(resolve));
        if (signal.aborted) throw new ConnectError("the client cancelled the call", Code.Canceled);
      })(),
    });
  };
}
