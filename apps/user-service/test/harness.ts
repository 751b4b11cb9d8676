import { type Database, openDatabase } from "@switchboard/database";
import { inboxMigrations, outboxMigrations } from "@switchboard/messaging";
import { memoryLogger, serveOnPort0 } from "@switchboard/testing";
import { type AppDeps, buildApp } from "../src/app.js";
import { userMigrations } from "../src/store/migrations.js";
import { type ListingMetrics, UserStore } from "../src/store/user-store.js";

/**
 * A migrated database: in-memory PGlite; real PostgreSQL (in a fresh schema) when given a url; or
 * PGlite in `dataDir`, where another process can open it too.
 */
export async function migratedDatabase(url?: string, dataDir?: string): Promise<Database> {
  const db = await openDatabase(
    url
      ? { url, schema: `user_service_test_${Math.random().toString(36).slice(2, 10)}` }
      : dataDir
        ? { dataDir }
        : {},
  );
  await db.migrate("user-service", userMigrations);
  await db.migrate("outbox", outboxMigrations);
  await db.migrate("inbox", inboxMigrations);
  return db;
}

/**
 * user-service on a free port over `db`, with an outbox whose wake-ups are counted; given
 * image-service (`images`), it serves the seed contract too, as main.ts wires it.
 */
export async function startUserService(db: Database, options: Pick<AppDeps, "readMaxBytes" | "images"> = {}) {
  const listings = countedListings();
  const store = new UserStore(db, listings);
  const outbox = {
    wakes: 0,
    wake() {
      this.wakes++;
    },
  };
  const { logger, lines } = memoryLogger();
  const { server, changes } = buildApp({ logger, store, outbox, ...options });
  const served = await serveOnPort0(server);
  return { ...served, store, listings, changes, outbox, lines, close: () => server.shutdown() };
}

/** The events the outbox holds, oldest first: what the relay would publish. */
export async function outboxEvents(db: Database): Promise<{ type: string; key: string }[]> {
  const { rows } = await db.query<{ type: string; key: string }>("SELECT type, key FROM outbox ORDER BY id");
  return rows;
}

/** Inserts `count` users named "<prefix> <n>" in one statement (fast: no per-row round trips). */
export async function seedUsers(db: Database, count: number, prefix: string): Promise<void> {
  await db.query(
    `INSERT INTO users (id, name, email, email_key, create_time, update_time)
     SELECT gen_random_uuid(), $1 || ' ' || i, lower($1) || i || '@example.com', lower($1) || i || '@example.com',
            now(), now()
     FROM generate_series(1, $2::int) AS i`,
    [prefix, count],
  );
}

/** Listing metrics that count: batches read, and listings open (0 once every abandoned stream has let go). */
export function countedListings(): ListingMetrics & { batchesRead: number; open: number } {
  return {
    batchesRead: 0,
    open: 0,
    opened() {
      this.open++;
    },
    batchRead() {
      this.batchesRead++;
    },
    closed() {
      this.open--;
    },
  };
}
