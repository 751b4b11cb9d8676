import type { Writable } from "node:stream";

/** Writes `messages` to a grpc-js call, waiting for "drain" when its buffer is full or `signal` aborting. */
export async function writeResponses(
  call: Writable,
  messages: AsyncIterable<unknown>,
  signal: AbortSignal,
  beforeFirst: () => void,
): Promise<void> {
  let first = true;
  for await (const message of messages) {
    if (first) {
      beforeFirst();
      first = false;
    }
    if (!call.write(message)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          call.off("drain", done);
          signal.removeEventListener("abort", done);
          resolve();
        };
        call.on("drain", done);
        signal.addEventListener("abort", done);
      });
      signal.throwIfAborted();
    }
  }
  if (first) beforeFirst();
}
