import { invalidArgument } from "@switchboard/runtime";

/** A client-stream message: one `start` message (named by its oneof case), then `chunk`s. */
type StartThenChunks<Case extends string, Start> = {
  data:
    | { case: Case; value: Start }
    | { case: "chunk"; value: Uint8Array }
    | { case: undefined; value?: undefined };
};

/**
 * Reads the first message of an upload stream, which must be its `startCase` (metadata/start),
 * and returns it with the chunks that follow. A stream that starts with a chunk, is empty, or
 * sends its start twice is INVALID_ARGUMENT — raised when it happens, while the chunks are read.
 */
export async function readStartThenChunks<Case extends string, Start>(
  requests: AsyncIterable<StartThenChunks<Case, Start>>,
  startCase: Case,
): Promise<{ start: Start; chunks: AsyncIterable<Uint8Array> }> {
  const iterator = requests[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done || first.value.data.case !== startCase) {
    await iterator.return?.();
    throw invalidArgument([{ field: startCase, description: "must be the first message of the stream" }]);
  }
  return { start: first.value.data.value as Start, chunks: chunksAfter(iterator, startCase) };
}

async function* chunksAfter<Case extends string, Start>(
  iterator: AsyncIterator<StartThenChunks<Case, Start>>,
  startCase: Case,
): AsyncGenerator<Uint8Array> {
  try {
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      const { data } = next.value;
      if (data.case !== "chunk") {
        throw invalidArgument([
          { field: startCase, description: "may only be the first message of the stream" },
        ]);
      }
      yield data.value as Uint8Array;
    }
  } finally {
    await iterator.return?.();
  }
}
