import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "@switchboard/database";
import { BlobStore, buildApp as buildImageApp, imageMigrations } from "@switchboard/image-service";
import { inboxMigrations, outboxMigrations } from "@switchboard/messaging";
import { createLogger, MiB } from "@switchboard/runtime";
import { testTokens } from "@switchboard/testing";
import { buildApp as buildUserApp, UserStore, userMigrations } from "@switchboard/user-service";
import { cachedUser, USER_ID } from "../workload.js";

const logger = () => createLogger({ name: "rpc-bench-service", level: "warn" });

/**
 * user-service as main.ts builds it, over in-memory PGlite holding the benchmark's one user, and
 * the token the load sends (an admin's, from its own issuer: every call pays for authentication).
 * GetUser reads through its cache (the defaults: 1 s, so about one PGlite read a second), or,
 * with `cache` false, asks PGlite on every call (as before the cache).
 */
export async function startUserService(
  cache = true,
): Promise<{ port: number; token: string; close(): Promise<void> }> {
  const db = await openDatabase({});
  await db.migrate("user-service", userMigrations);
  await db.migrate("outbox", outboxMigrations);
  await db.migrate("inbox", inboxMigrations);
  const user = cachedUser.user;
  await db.query(
    `INSERT INTO users (id, name, email, email_key, create_time, update_time)
     VALUES ($1, $2, $3, $3, now(), now())`,
    [USER_ID, user?.name, user?.email],
  );
  const app = buildUserApp({
    logger: logger(),
    store: new UserStore(db),
    outbox: { wake() {} },
    ...(cache ? {} : { userCache: { ttlMs: 0, maxEntries: 0 } }),
  });
  const { server } = app;
  const port = await server.listen(0, "127.0.0.1");
  return {
    port,
    token: (await app.issuer.forUser(randomUUID(), ["user", "admin"])).token,
    async close() {
      await server.shutdown();
      await db.close();
    },
  };
}

/**
 * image-service as main.ts builds it: sha256, blob store on disk, type and pixel checks, PGlite;
 * tokens verified against a test key (standing in for user-service's JWKS), an admin's sent by the load.
 */
export async function startImageService(): Promise<{ port: number; token: string; close(): Promise<void> }> {
  const tokens = testTokens();
  const dataDir = await mkdtemp(join(tmpdir(), "rpc-bench-images-"));
  const db = await openDatabase({});
  await db.migrate("image-service", imageMigrations);
  await db.migrate("outbox", outboxMigrations);
  const { server } = buildImageApp({
    logger: logger(),
    db,
    blobs: await new BlobStore(dataDir).open(),
    outbox: { wake() {} },
    limits: { maxChunkBytes: 1 * MiB, maxUploadBytes: 64 * MiB, maxPixels: 50_000_000 },
    jobsQueue: "rpc-bench.images.process", // no relay runs: no job is ever sent
    verifier: tokens.verifier,
  });
  const port = await server.listen(0, "127.0.0.1");
  return {
    port,
    token: await tokens.admin(),
    async close() {
      await server.shutdown();
      await db.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
