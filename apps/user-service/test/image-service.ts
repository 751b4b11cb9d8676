import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "@switchboard/database";
import { BlobStore, buildApp as buildImageApp, imageMigrations } from "@switchboard/image-service";
import { IMAGE_JOBS_QUEUE, outboxMigrations } from "@switchboard/messaging";
import { TokenVerifier, type VerificationKeys } from "@switchboard/runtime";
import { filesUnder, memoryLogger, serveOnPort0 } from "@switchboard/testing";

/**
 * image-service in process: in-memory PGlite, a fresh blob folder, no brokers (nothing relays its
 * outbox); it verifies tokens with `keys` (user-service's, as its JWKS would give them).
 */
export async function startImageService(limits: { maxUploadBytes: number }, keys: VerificationKeys) {
  const imagesDb = await openDatabase({});
  await imagesDb.migrate("image-service", imageMigrations);
  await imagesDb.migrate("outbox", outboxMigrations);
  const dataDir = await mkdtemp(join(tmpdir(), "usuario-images-"));
  const blobs = await new BlobStore(dataDir).open();
  const app = buildImageApp({
    logger: memoryLogger().logger,
    db: imagesDb,
    blobs,
    outbox: { wake() {} },
    jobsQueue: IMAGE_JOBS_QUEUE, // no relay: the jobs stay in the outbox
    limits: { maxChunkBytes: 1024 * 1024, maxPixels: 50_000_000, ...limits },
    verifier: new TokenVerifier({ keys }),
  });
  const served = await serveOnPort0(app.server);
  return {
    ...served,
    /** Images recorded and files on disk (committed, and in flight): what a cancelled call must not change. */
    async stored() {
      const { rows } = await imagesDb.query<{ n: number }>("SELECT count(*)::int AS n FROM images");
      return {
        images: rows[0]!.n,
        temporary: await filesUnder(join(dataDir, "tmp")),
        blobs: await filesUnder(join(dataDir, "blobs")),
      };
    },
    async close() {
      await app.server.shutdown();
      await imagesDb.close();
      await blobs.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
