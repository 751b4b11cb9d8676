import { type Database, openDatabase } from "@switchboard/database";
import { inboxMigrations, outboxMigrations } from "@switchboard/messaging";
import { memoryLogger, serveOnPort0 } from "@switchboard/testing";
import { buildApp } from "../src/app.js";
import { userMigrations } from "../src/store/migrations.js";
import { UserStore } from "../src/store/user-store.js";

/** A migrated database: in-memory PGlite, or real PostgreSQL (in a fresh schema) when given a url. */
export async function migratedDatabase(url?: string): Promise<Database> {
  const db = await openDatabase(
    url ? { url, schema: `user_service_test_${Math.random().toString(36).slice(2, 10)}` } : {},
  );
  await db.migrate("user-service", userMigrations);
  await db.migrate("outbox", outboxMigrations);
  await db.migrate("inbox", inboxMigrations);
  return db;
}

/** user-service on a free port over `db`, with an outbox whose wake-ups are counted. */
export async function startUserService(db: Database, options: { readMaxBytes?: number } = {}) {
  const store = new UserStore(db);
  const outbox = {
    wakes: 0,
    wake() {
      this.wakes++;
    },
  };
  const { logger, lines } = memoryLogger();
  const { server } = buildApp({ logger, store, outbox, ...options });
  const served = await serveOnPort0(server);
  return { ...served, store, outbox, lines, close: () => server.shutdown() };
}

/** The events the outbox holds, oldest first: what the relay would publish. */
export async function outboxEvents(db: Database): Promise<{ type: string; key: string }[]> {
  const { rows } = await db.query<{ type: string; key: string }>("SELECT type, key FROM outbox ORDER BY id");
  return rows;
}
