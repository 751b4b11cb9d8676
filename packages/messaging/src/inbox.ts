import type { Database, Migration, Queryable } from "@switchboard/database";
import type { CloudEvent } from "./port.js";

/**
 * The consumer inbox: remembers which events each consumer has handled, so redelivered
 * events — brokers deliver at least once, and the outbox relay may publish an event twice —
 * change state once. Apply with `db.migrate("inbox", inboxMigrations)`.
 */
export const inboxMigrations: Migration[] = [
  {
    version: 1,
    name: "create inbox",
    sql: `
      CREATE TABLE inbox (
        consumer text NOT NULL,
        event_id text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, event_id)
      )
    `,
  },
  {
    version: 2,
    name: "index handled events by age, for pruning",
    sql: "CREATE INDEX inbox_received ON inbox (received_at)",
  },
];

/**
 * How long an inbox remembers a handled event by default: twice Kafka's default retention (7
 * days), the longest a redelivery can come from a topic; RabbitMQ redelivers within minutes.
 */
export const INBOX_KEEP_MS = 14 * 24 * 60 * 60 * 1000;

export class Inbox {
  /**
   * Runs `work` for `event` unless `consumer` already handled it, recording the event id and
   * the work's writes in one transaction. Returns false for a duplicate. If `work` throws,
   * nothing is recorded, so a redelivery runs it again. Two deliveries of one event at the same
   * time on PostgreSQL: the second waits on the first's uncommitted row, then sees the
   * duplicate (or runs, if the first rolled back).
   */
  handleOnce(
    db: Database,
    consumer: string,
    event: CloudEvent,
    work: (tx: Queryable) => Promise<void>,
  ): Promise<boolean> {
    return db.transaction(async (tx) => {
      if (!(await this.record(tx, consumer, event))) return false;
      await work(tx);
      return true;
    });
  }

  /**
   * The same inside a transaction the caller opened (e.g. an outbox unit of work): records that
   * `consumer` handles `event`, or returns false if it already did. The record commits or rolls
   * back with the caller's writes.
   */
  async record(tx: Queryable, consumer: string, event: CloudEvent): Promise<boolean> {
    const { rowCount } = await tx.query(
      "INSERT INTO inbox (consumer, event_id, received_at) VALUES ($1, $2, now()) ON CONFLICT DO NOTHING",
      [consumer, event.id],
    );
    return rowCount > 0;
  }

  /**
   * Forgets the events handled more than `keepMs` ago (every consumer's), so the table does not
   * grow for ever. A copy of such an event arriving later would be handled again: keep them
   * longer than any broker can redeliver. Returns how many were forgotten.
   */
  async prune(db: Queryable, keepMs = INBOX_KEEP_MS): Promise<number> {
    const { rowCount } = await db.query(
      "DELETE FROM inbox WHERE received_at < now() - make_interval(secs => $1)",
      [keepMs / 1000],
    );
    return rowCount ?? 0;
  }
}
