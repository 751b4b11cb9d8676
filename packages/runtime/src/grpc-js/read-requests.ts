import type { Readable } from "node:stream";

const HIGH_WATER = 16;

/**
 * A grpc-js call's incoming messages as the async iterable a connect handler reads. The call is
 * paused while HIGH_WATER messages wait, so a slow handler holds the client back through HTTP/2
 * flow control. When `signal` aborts (cancelled, past the deadline, cut off) the iteration
 * throws its reason instead of waiting for messages that will never come.
 */
export async function* readRequests<T>(call: Readable, signal: AbortSignal): AsyncGenerator<T> {
  const queue: T[] = [];
  let ended = false;
  let failure: unknown;
  let wake: (() => void) | undefined;
  const notify = () => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };
  const onData = (message: T) => {
    queue.push(message);
    if (queue.length >= HIGH_WATER) call.pause();
    notify();
  };
  const onEnd = () => {
    ended = true;
    notify();
  };
  const onError = (error: unknown) => {
    failure = error;
    ended = true;
    notify();
  };
  call.on("data", onData);
  call.once("end", onEnd);
  call.once("error", onError);
  signal.addEventListener("abort", notify);
  try {
    for (;;) {
      if (queue.length > 0) {
        const message = queue.shift() as T;
        if (queue.length === 0 && call.isPaused()) call.resume();
        yield message;
        continue;
      }
      signal.throwIfAborted();
      if (failure !== undefined) throw failure;
      if (ended) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    call.off("data", onData);
    call.off("end", onEnd);
    call.off("error", onError);
    signal.removeEventListener("abort", notify);
  }
}
