import type { AsyncQueue } from "./async-queue.js";

/**
 * Streams what `task` pushes into `queue` while the task runs beside the stream, so a reply never
 * waits for the task's next step (a request still to arrive, an upload still to finish). The task
 * starts at once; its end ends the stream, and its error fails it. `stop` aborts when the stream
 * ends first (the reader left, or the queue was ended, e.g. for a reader too far behind). With
 * `settle`, the stream finishes only once the task has (its clean-up done); without it, a task
 * still waiting on its client does not hold the call open.
 */
export async function* streamTask<T>(
  queue: AsyncQueue<T>,
  task: (stop: AbortSignal) => Promise<unknown>,
  options: { settle?: boolean } = {},
): AsyncGenerator<T> {
  const stop = new AbortController();
  const running = task(stop.signal).then(
    () => queue.end(),
    (error: unknown) => queue.end(error),
  );
  try {
    yield* queue;
  } finally {
    stop.abort();
    if (options.settle) await running;
  }
}
