/**
 * A push-to-pull bridge: producers `push`, one consumer iterates. Bounded: when full, `push`
 * returns false and drops the value, so a slow reader can never make a producer wait or grow
 * memory without limit. The iterator ends after `end()` or when `signal` aborts.
 */
export class AsyncQueue<T> implements AsyncIterable<T> {
  readonly #items: T[] = [];
  #wake: (() => void) | undefined;
  #ended = false;
  #error: unknown;

  constructor(
    readonly capacity = Number.POSITIVE_INFINITY,
    signal?: AbortSignal,
  ) {
    signal?.addEventListener("abort", () => this.end(), { once: true });
  }

  get size(): number {
    return this.#items.length;
  }

  get ended(): boolean {
    return this.#ended;
  }

  push(item: T): boolean {
    if (this.#ended || this.#items.length >= this.capacity) return false;
    this.#items.push(item);
    this.#notify();
    return true;
  }

  /** Ends the iteration after the queued items; with an error, the iterator throws it instead. */
  end(error?: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#error = error;
    this.#notify();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    try {
      for (;;) {
        const item = this.#items.shift();
        if (item !== undefined) {
          yield item;
          continue;
        }
        if (this.#ended) {
          if (this.#error !== undefined) throw this.#error;
          return;
        }
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
        });
      }
    } finally {
      this.#ended = true;
    }
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}
