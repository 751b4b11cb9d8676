import type { DescMessage, MessageShape, Registry } from "@bufbuild/protobuf";
import type { Database, Queryable } from "@switchboard/database";
import type { Logger } from "pino";
import { decodeEvent, type EventAttributes, EventDecodeError } from "./cloudevents.js";
import { pruneOutbox } from "./outbox.js";
import type { MessageBroker, OutgoingEvent } from "./port.js";

export interface OutboxRelayOptions {
  db: Database;
  broker: MessageBroker;
  logger: Logger;
  /** Must know every event type written to the outbox: the relay decodes each body to republish it. */
  registry: Registry;
  /** Rows per batch (default 100). */
  batchSize?: number;
  /** How often to look for rows when nobody calls wake() (default 200 ms). */
  pollIntervalMs?: number;
  /** Ceiling of the exponential backoff after a failure (default 5000 ms). */
  maxBackoffMs?: number;
  /**
   * How long sent rows stay, to inspect or replay by hand (default 7 days); older ones are
   * pruned when the outbox is drained, at most once per `pruneIntervalMs` (default 10 minutes).
   */
  keepSentMs?: number;
  pruneIntervalMs?: number;
}

// A type alias, not an interface: query rows need the implicit index signature.
type OutboxRow = {
  id: string;
  topic: string;
  attributes: EventAttributes;
  body: Uint8Array;
};

/** How a batch ended: nothing left, a full batch (look again at once), or a failure (back off). */
type BatchOutcome = "drained" | "more" | "failed";

/**
 * Publishes committed outbox rows in id order and marks each sent once the broker confirmed it.
 *
 * Delivery is at least once: a crash (or a lost connection) between the broker's confirm and
 * the `sent_at` update publishes the row again on the next run — with the same event id, time,
 * subject and extensions, so consumers that dedup by event id through the Inbox handle it
 * exactly once. In effect: effectively-once.
 *
 * Order: a failed publish ends the batch and is retried (with exponential backoff) before any
 * later row, so events of one key are never reordered by a single relay. On PostgreSQL several
 * relays may share one outbox — `FOR UPDATE SKIP LOCKED` gives each a different batch, so no row
 * is published by two relays at once — but then events of one key may cross between batches;
 * run one relay per outbox where strict per-key order matters. On PGlite run one relay per
 * database (it is in-process anyway).
 */
export class OutboxRelay {
  private readonly db: Database;
  private readonly broker: MessageBroker;
  private readonly logger: Logger;
  private readonly registry: Registry;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly maxBackoffMs: number;
  private readonly keepSentMs: number;
  private readonly pruneIntervalMs: number;
  private lastPrune = 0;

  private running: Promise<void> | undefined;
  private stopping = false;
  /** Set by wake(): something was committed since the current batch's SELECT. */
  private woken = false;
  private failures = 0;
  private endWait: (() => void) | undefined;

  constructor(options: OutboxRelayOptions) {
    this.db = options.db;
    this.broker = options.broker;
    this.logger = options.logger;
    this.registry = options.registry;
    this.batchSize = options.batchSize ?? 100;
    this.pollIntervalMs = options.pollIntervalMs ?? 200;
    this.maxBackoffMs = options.maxBackoffMs ?? 5000;
    this.keepSentMs = options.keepSentMs ?? 7 * 24 * 60 * 60 * 1000;
    this.pruneIntervalMs = options.pruneIntervalMs ?? 10 * 60 * 1000;
  }

  start(): void {
    if (this.running) return;
    this.stopping = false;
    this.running = this.loop();
  }

  /** Stops relaying; a batch in flight finishes first. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.endWait?.();
    await this.running;
    this.running = undefined;
  }

  /**
   * Publishes without waiting for the next poll: call after committing a transaction that
   * added to the outbox. Ignored while backing off from a failure, so a down broker is not
   * hammered once per commit.
   */
  wake(): void {
    this.woken = true;
    if (this.failures === 0) this.endWait?.();
  }

  /** Deletes the rows sent more than `keepSentMs` ago; returns how many. */
  async prune(): Promise<number> {
    this.lastPrune = Date.now();
    const deleted = await pruneOutbox(this.db, this.keepSentMs);
    if (deleted > 0) this.logger.info({ deleted }, "outbox: pruned sent events");
    return deleted;
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      this.woken = false;
      const outcome = await this.relayBatch().catch((error: unknown) => {
        this.logger.error({ err: error }, "outbox relay: database error");
        return "failed" as const;
      });
      if (this.stopping) break;
      if (outcome === "failed") {
        this.failures++;
        await this.wait(this.backoffMs());
        continue;
      }
      if (this.failures > 0) {
        this.logger.info({ failures: this.failures }, "outbox relay: publishing again");
        this.failures = 0;
      }
      if (outcome === "drained" && Date.now() - this.lastPrune >= this.pruneIntervalMs) {
        await this.prune().catch((error: unknown) => {
          this.logger.warn({ err: error }, "outbox relay: pruning failed; will try again later");
        });
      }
      if (outcome === "drained" && !this.woken) await this.wait(this.pollIntervalMs);
    }
  }

  private relayBatch(): Promise<BatchOutcome> {
    // PGlite has one connection: a transaction held open while the broker confirms would stall
    // every other query of the service, for as long as the broker is down. Nor is a row lock
    // needed there: only this process reaches the database, and the relay runs one batch at a time.
    if (this.db.kind === "pglite") return this.publishBatch(this.db, "");
    return this.db.transaction((tx) => this.publishBatch(tx, "FOR UPDATE SKIP LOCKED"));
  }

  private async publishBatch(q: Queryable, locking: string): Promise<BatchOutcome> {
    const { rows } = await q.query<OutboxRow>(
      `SELECT id, topic, attributes, body FROM outbox WHERE sent_at IS NULL ORDER BY id LIMIT $1 ${locking}`,
      [this.batchSize],
    );
    for (const row of rows) {
      try {
        await this.broker.publish(row.topic, this.rebuild(row));
      } catch (error) {
        await this.recordFailure(q, row, error);
        return "failed";
      }
      await q.query(
        "UPDATE outbox SET sent_at = now(), attempts = attempts + 1, last_error = NULL WHERE id = $1",
        [row.id],
      );
      this.logger.debug(
        { topic: row.topic, eventId: row.attributes.id, type: row.attributes.type },
        "outbox event published",
      );
    }
    return rows.length === this.batchSize ? "more" : "drained";
  }

  /** The stored event as it was first encoded: same id, time, subject and extensions. */
  private rebuild(row: OutboxRow): OutgoingEvent {
    const event = decodeEvent(row.attributes, row.body, this.registry);
    return {
      // decodeEvent has just found the type in the registry.
      schema: this.registry.getMessage(event.type)!,
      data: event.data as MessageShape<DescMessage>,
      id: event.id,
      time: event.time,
      extensions: event.extensions,
      ...(event.subject !== undefined ? { subject: event.subject } : {}),
    };
  }

  private async recordFailure(q: Queryable, row: OutboxRow, error: unknown): Promise<void> {
    const message = error instanceof Error ? error.message : String(error);
    const { rows } = await q.query<{ attempts: number }>(
      "UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE id = $1 RETURNING attempts",
      [row.id, message],
    );
    const context = { err: error, topic: row.topic, eventId: row.attributes.id, attempts: rows[0]?.attempts };
    // An event that cannot be decoded will not succeed by retrying: it needs a deploy that knows its type.
    if (error instanceof EventDecodeError)
      this.logger.error(context, "outbox event cannot be decoded; retrying");
    else this.logger.warn(context, "outbox publish failed; retrying");
  }

  private backoffMs(): number {
    const ceiling = Math.min(this.maxBackoffMs, this.pollIntervalMs * 2 ** (this.failures - 1));
    // Jitter, so relays of several replicas do not retry in lockstep.
    return ceiling / 2 + (Math.random() * ceiling) / 2;
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.endWait = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.endWait = done;
    });
  }
}
