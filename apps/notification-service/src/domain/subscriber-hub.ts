import { Code, ConnectError } from "@connectrpc/connect";
import type { Notification } from "@switchboard/proto/switchboard/notification/v1/notification_pb.js";
import { AsyncQueue } from "@switchboard/runtime";

/**
 * Every open Subscribe stream, by user. Each subscriber has its own bounded queue, so a slow one
 * never holds up the others: when its queue is full it is ended with RESOURCE_EXHAUSTED (it can
 * resubscribe and catch up from ListNotifications) rather than dropping notifications silently.
 */
export class SubscriberHub {
  readonly #subscribers = new Map<string, Set<AsyncQueue<Notification>>>();

  constructor(readonly bufferSize: number) {}

  /** A stream of `userId`'s notifications, until `signal` aborts or the hub ends it. */
  subscribe(userId: string, signal: AbortSignal): AsyncIterable<Notification> {
    const queue = new AsyncQueue<Notification>(this.bufferSize, signal);
    const set = this.#subscribers.get(userId) ?? new Set();
    set.add(queue);
    this.#subscribers.set(userId, set);
    const remove = () => {
      set.delete(queue);
      if (set.size === 0) this.#subscribers.delete(userId);
    };
    signal.addEventListener("abort", remove, { once: true });
    return (async function* () {
      try {
        yield* queue;
      } finally {
        remove();
      }
    })();
  }

  /** Hands `notification` to every subscriber of its user; returns how many got it. */
  publish(notification: Notification): number {
    let delivered = 0;
    for (const queue of this.#subscribers.get(notification.userId) ?? []) {
      if (queue.push(notification)) delivered++;
      else queue.end(new ConnectError("subscriber fell too far behind; resubscribe", Code.ResourceExhausted));
    }
    return delivered;
  }

  /** Ends every stream of a user (the user was deleted). */
  dropUser(userId: string): void {
    for (const queue of this.#subscribers.get(userId) ?? []) queue.end();
    this.#subscribers.delete(userId);
  }

  subscriberCount(userId: string): number {
    return this.#subscribers.get(userId)?.size ?? 0;
  }
}
