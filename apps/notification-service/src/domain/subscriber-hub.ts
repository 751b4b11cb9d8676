import type { Notification } from "@switchboard/proto/switchboard/notification/v1/notification_pb.js";
import { AsyncQueue } from "@switchboard/runtime";
import { SubscriberFellBehindError } from "./errors.js";

/**
 * Every open Subscribe stream, by user. Each subscriber has its own bounded queue, so a slow one
 * never holds up the others: when its queue is full it is ended with SubscriberFellBehindError (it can
 * resubscribe and catch up from ListNotifications) rather than dropping notifications silently.
 */
export class SubscriberHub {
  readonly #subscribers = new Map<string, Set<AsyncQueue<Notification>>>();

  constructor(readonly bufferSize: number) {}

  /** A stream of `userId`'s notifications, until `signal` aborts or the hub ends it. */
  subscribe(userId: string, signal: AbortSignal): AsyncIterable<Notification> {
    const queue = new AsyncQueue<Notification>(this.bufferSize, signal);
    if (signal.aborted) queue.end(); // the queue only hears a later abort
    const set = this.#subscribers.get(userId) ?? new Set();
    set.add(queue);
    this.#subscribers.set(userId, set);
    const remove = () => this.#remove(userId, queue);
    signal.addEventListener("abort", remove, { once: true });
    return (async function* () {
      try {
        yield* queue;
      } finally {
        signal.removeEventListener("abort", remove);
        remove();
      }
    })();
  }

  /** Hands `notification` to every subscriber of its user; returns how many got it. */
  publish(notification: Notification): number {
    let delivered = 0;
    for (const queue of this.#subscribers.get(notification.userId) ?? []) {
      if (queue.push(notification)) {
        delivered++;
        continue;
      }
      // Full (or already ended): end it now and forget it, even if its reader never comes back.
      queue.end(new SubscriberFellBehindError());
      this.#remove(notification.userId, queue);
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

  #remove(userId: string, queue: AsyncQueue<Notification>): void {
    // The user's set may have been replaced meanwhile (dropUser, then a new subscriber): touch only the current one.
    const set = this.#subscribers.get(userId);
    if (!set?.delete(queue)) return;
    if (set.size === 0) this.#subscribers.delete(userId);
  }
}
