import type { DescMessage } from "@bufbuild/protobuf";
import type { Migration, Queryable } from "@switchboard/database";
import { encodeEvent } from "./cloudevents.js";
import type { CloudEvent, OutgoingEvent } from "./port.js";

/**
 * The transactional outbox: a service writes its event into the `outbox` table in the same
 * transaction as the state change it describes, so both commit or neither does. The
 * OutboxRelay then publishes committed rows to the broker. Apply with
 * `db.migrate("outbox", outboxMigrations)`.
 */
export const outboxMigrations: Migration[] = [
  {
    version: 1,
    name: "create outbox",
    sql: `
      CREATE TABLE outbox (
        id bigserial PRIMARY KEY,
        topic text NOT NULL,
        key text NULL,
        event_id text NOT NULL UNIQUE,
        type text NOT NULL,
        attributes jsonb NOT NULL,
        body bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz NULL,
        attempts int NOT NULL DEFAULT 0,
        last_error text NULL
      );
      -- The relay only ever looks for unsent rows, oldest first; sent rows stay out of the index.
      CREATE INDEX outbox_unsent ON outbox (id) WHERE sent_at IS NULL;
    `,
  },
  {
    version: 2,
    name: "index sent rows by age, for pruning",
    sql: "CREATE INDEX outbox_sent ON outbox (sent_at) WHERE sent_at IS NOT NULL",
  },
];

/** Rows deleted per statement when pruning: short statements, short locks. */
const PRUNE_BATCH = 1000;

/**
 * Deletes the outbox rows sent more than `keepMs` ago, in batches; unsent rows stay whatever
 * their age. Returns how many were deleted.
 */
export async function pruneOutbox(db: Queryable, keepMs: number): Promise<number> {
  let deleted = 0;
  for (;;) {
    const { rowCount } = await db.query(
      `DELETE FROM outbox WHERE id IN (
         SELECT id FROM outbox WHERE sent_at < now() - make_interval(secs => $1) LIMIT $2)`,
      [keepMs / 1000, PRUNE_BATCH],
    );
    deleted += rowCount ?? 0;
    if ((rowCount ?? 0) < PRUNE_BATCH) return deleted;
  }
}

/**
 * Encodes `event` (filling in its id and time) and stores it for `topic`, inside the caller's
 * transaction `tx`. Returns the CloudEvent exactly as the relay will publish it. The event id
 * must be new: reusing one fails the insert, and with it the caller's transaction.
 */
export async function addToOutbox<Desc extends DescMessage>(
  tx: Queryable,
  topic: string,
  event: OutgoingEvent<Desc>,
  source: string,
): Promise<CloudEvent> {
  const encoded = encodeEvent(event, source);
  await tx.query(
    "INSERT INTO outbox (topic, key, event_id, type, attributes, body) VALUES ($1, $2, $3, $4, $5, $6)",
    [
      topic,
      encoded.event.subject ?? null,
      encoded.event.id,
      encoded.event.type,
      JSON.stringify(encoded.attributes),
      encoded.body,
    ],
  );
  return encoded.event;
}
