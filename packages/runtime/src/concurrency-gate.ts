import { Code, ConnectError } from "@connectrpc/connect";

export interface ConcurrencyGateOptions {
  /**
   * What may run at once, in units of the caller's choosing: the cores, for CPU-bound work where
   * each run weighs 1; or a memory budget, with each run weighing what it holds.
   */
  slots: number;
  /** How many callers may wait for a slot; one more is turned away at once with RESOURCE_EXHAUSTED. */
  maxWaiting: number;
  /** Names the work in the RESOURCE_EXHAUSTED message. */
  what: string;
}

interface Waiter {
  weight: number;
  grant(): void;
}

/**
 * A counting semaphore for expensive work; runs may weigh more than one slot (a run heavier than
 * every slot together runs alone). A caller waits for a slot only as long as its call
 * lives: its signal (the call's deadline or cancellation) takes it out of the queue. When the
 * queue is full, a new caller gets RESOURCE_EXHAUSTED immediately — a client can retry later —
 * instead of piling up memory behind the ones already waiting.
 */
export class ConcurrencyGate {
  readonly #options: ConcurrencyGateOptions;
  readonly #waiting: Waiter[] = [];
  #running = 0;

  constructor(options: ConcurrencyGateOptions) {
    if (options.slots < 1) throw new Error("a concurrency gate needs at least one slot");
    this.#options = options;
  }

  get running(): number {
    return this.#running;
  }

  get waiting(): number {
    return this.#waiting.length;
  }

  /**
   * Runs `work` once `weight` slots (default 1) are free, in arrival order. `queue: "always"` lets
   * a caller wait whatever the queue's length — for internal callers (job workers) that are few
   * and bounded themselves.
   */
  async run<T>(
    work: () => Promise<T>,
    options: { signal?: AbortSignal; queue?: "bounded" | "always"; weight?: number } = {},
  ) {
    const weight = Math.min(Math.max(options.weight ?? 1, 1), this.#options.slots);
    await this.#acquire(weight, options.signal, options.queue ?? "bounded");
    try {
      return await work();
    } finally {
      this.#release(weight);
    }
  }

  async #acquire(
    weight: number,
    signal: AbortSignal | undefined,
    queue: "bounded" | "always",
  ): Promise<void> {
    signal?.throwIfAborted();
    if (this.#waiting.length === 0 && this.#running + weight <= this.#options.slots) {
      this.#running += weight;
      return;
    }
    if (queue === "bounded" && this.#waiting.length >= this.#options.maxWaiting) {
      throw new ConnectError(
        `too many ${this.#options.what} in progress (${this.#running} running, ${this.#waiting.length} waiting); try again later`,
        Code.ResourceExhausted,
      );
    }
    await new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        weight,
        grant: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        const index = this.#waiting.indexOf(waiter);
        if (index >= 0) this.#waiting.splice(index, 1);
        reject(abortReason(signal));
        // A heavy waiter leaving may let lighter ones behind it start.
        this.#release(0);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#waiting.push(waiter);
    });
  }

  #release(weight: number): void {
    this.#running -= weight;
    // First come, first served: a heavy waiter at the head is not overtaken by light ones.
    for (
      let next = this.#waiting[0];
      next && this.#running + next.weight <= this.#options.slots;
      next = this.#waiting[0]
    ) {
      this.#waiting.shift();
      this.#running += next.weight;
      next.grant();
    }
  }
}

function abortReason(signal: AbortSignal | undefined): ConnectError {
  const reason: unknown = signal?.reason;
  if (reason instanceof ConnectError) return reason;
  return new ConnectError("gave up waiting for a slot", Code.DeadlineExceeded, undefined, undefined, reason);
}
