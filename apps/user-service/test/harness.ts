import { randomUUID } from "node:crypto";
import type { DescService } from "@bufbuild/protobuf";
import { type Client, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { type Database, openDatabase } from "@switchboard/database";
import { inboxMigrations, outboxMigrations } from "@switchboard/messaging";
import { bearerToken } from "@switchboard/runtime";
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
 *
 * `client(Service)` is a gRPC client that sends an admin's token (minted by the service's own
 * issuer, as Login would); `client(Service, token)` sends that token, `client(Service, null)` none.
 */
export async function startUserService(
  db: Database,
  options: Pick<
    AppDeps,
    "readMaxBytes" | "images" | "identity" | "seedContract" | "mqttCredentials" | "userCache"
  > = {},
) {
  const listings = countedListings();
  const store = new UserStore(db, listings);
  const outbox = {
    wakes: 0,
    wake() {
      this.wakes++;
    },
  };
  const { logger, lines } = memoryLogger();
  const app = buildApp({ logger, store, outbox, ...options });
  const { server, changes } = app;
  const served = await serveOnPort0(server);
  const adminId = randomUUID();
  const adminToken = (await app.issuer.forUser(adminId, ["user", "admin"])).token;
  const client = <T extends DescService>(
    service: T,
    token: string | null = adminToken,
    callOptions: { timeoutMs?: number; readMaxBytes?: number } = {},
  ) => authedClient(service, served.baseUrl, token, callOptions);
  return {
    ...served,
    app,
    store,
    listings,
    changes,
    outbox,
    lines,
    adminId,
    adminToken,
    client,
    /** A user's token, as Login would issue it. */
    userToken: async (userId: string) => (await app.issuer.forUser(userId, ["user"])).token,
    close: () => server.shutdown(),
  };
}

/**
 * A Connect gRPC client for `baseUrl` sending `token` as a bearer token (none when null), or the
 * token `serviceToken` gives for each call.
 */
export function authedClient<T extends DescService>(
  service: T,
  baseUrl: string,
  token: string | null,
  options: { timeoutMs?: number; readMaxBytes?: number; serviceToken?: () => Promise<string> } = {},
): Client<T> {
  const tokenSource = options.serviceToken ?? (token === null ? undefined : () => token);
  return createClient(
    service,
    createGrpcTransport({
      baseUrl,
      defaultTimeoutMs: options.timeoutMs ?? 10_000,
      ...(options.readMaxBytes ? { readMaxBytes: options.readMaxBytes } : {}),
      interceptors: tokenSource ? [bearerToken(tokenSource)] : [],
    }),
  );
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
