import type { Logger } from "pino";
import type { Subscription } from "./port.js";

export interface WhenReachableOptions {
  /** Names the dependency in logs and health, e.g. "rabbitmq". */
  dependency: string;
  /** Subscribes (all or nothing: on failure, close what was opened and throw). */
  subscribe: () => Promise<Subscription | Subscription[]>;
  logger: Logger;
  /** Told true once subscribed (and false at the start): for a health entry. */
  onReachable?: (reachable: boolean) => void;
  /** Backoff between attempts: doubles from initialDelayMs to maxDelayMs, with jitter (defaults 500 ms, 10 s). */
  initialDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * Subscribes in the background, retrying with backoff until the broker answers, and returns at
 * once: a service with a broker down at boot still listens and serves what it can, and its
 * consumers start when the broker comes back. (Writes meanwhile wait in the outbox.)
 */
export function subscribeWhenReachable(
  options: WhenReachableOptions,
): Subscription & { ready: Promise<void> } {
  const { dependency, logger, initialDelayMs = 500, maxDelayMs = 10_000 } = options;
  let closed = false;
  let opened: Subscription[] = [];
  let wake: (() => void) | undefined;
  options.onReachable?.(false);
  const ready = (async () => {
    for (let attempt = 0; !closed; attempt++) {
      try {
        const subscribed = await options.subscribe();
        opened = Array.isArray(subscribed) ? subscribed : [subscribed];
        if (closed) break;
        options.onReachable?.(true);
        if (attempt > 0)
          logger.info({ dependency, attempts: attempt + 1 }, `${dependency} reachable: consumers started`);
        return;
      } catch (error) {
        const ceiling = Math.min(maxDelayMs, initialDelayMs * 2 ** attempt);
        const delayMs = Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
        logger.warn(
          { dependency, attempt: attempt + 1, retryInMs: delayMs, err: (error as Error).message },
          `${dependency} unreachable; serving without it and retrying`,
        );
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, delayMs).unref();
        });
      }
    }
  })();
  return {
    ready,
    async close() {
      closed = true;
      wake?.();
      await ready;
      for (const subscription of opened) await subscription.close();
    },
  };
}
