import { randomBytes, randomUUID } from "node:crypto";
import { access, utimes, writeFile } from "node:fs/promises";
import type { ImageService } from "@switchboard/proto/switchboard/image/v1/image_service_pb.js";
import { type connectClient, memoryLogger } from "@switchboard/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lockBlob } from "../src/storage/blob-lock.js";
import { sweepOrphanBlobs } from "../src/storage/blob-sweeper.js";
import {
  type ImageServiceUnderTest,
  makeImage,
  OWNER,
  sharedDeployment,
  startImageService,
  uploadMessages,
} from "./harness.js";

const HOUR = 60 * 60 * 1000;
let service: ImageServiceUnderTest;
let client: ReturnType<typeof connectClient<typeof ImageService>>;

// Real PostgreSQL: an upload and a sweep run in truly concurrent transactions.
beforeAll(async () => {
  service = await startImageService({ sharing: await sharedDeployment() });
  client = service.client();
}, 60_000);
afterAll(() => service?.close(true));

/** Stores `bytes` as a blob no row references (a failed commit's leftover), last touched `ageMs` ago. */
async function orphan(bytes: Uint8Array, ageMs: number): Promise<string> {
  const path = service.blobs.tempPath();
  await writeFile(path, bytes);
  const blob = await service.blobs.pendingFromFile(path);
  await service.blobs.commit(blob);
  const then = new Date(Date.now() - ageMs);
  await utimes(service.blobs.pathOf(blob.sha256), then, then);
  return blob.sha256;
}

const present = (sha256: string) =>
  access(service.blobs.pathOf(sha256)).then(
    () => true,
    () => false,
  );
const sweep = (graceMs: number) =>
  sweepOrphanBlobs({ db: service.db, blobs: service.blobs, logger: memoryLogger().logger, graceMs });

describe("the blob sweep", () => {
  it("deletes blobs no row references once past the grace period, and nothing else", async () => {
    const { image } = await client.uploadImage(uploadMessages(await makeImage("png")));
    const referenced = image?.sha256 ?? "";
    const old = new Date(Date.now() - 2 * HOUR);
    await utimes(service.blobs.pathOf(referenced), old, old);
    const stale = await orphan(randomBytes(1000), 2 * HOUR);
    const fresh = await orphan(randomBytes(1000), 0);

    const { deleted } = await sweep(HOUR);
    expect(deleted).toBe(1);
    expect([await present(referenced), await present(stale), await present(fresh)]).toEqual([
      true,
      false,
      true,
    ]);
  });

  it("never removes bytes an upload of the same content is committing at the same time (no grace: the lock alone)", async () => {
    const png = await makeImage("png", 40, 30);
    const sha256 = await orphan(png, 2 * HOUR);
    let sweeping: Promise<{ deleted: number }> | undefined;
    // An upload's commit, step by step as ImageLibrary does it, with the sweep let loose in the
    // middle: the bytes are found already stored (so not renamed in again), the row not yet committed.
    await service.db.transaction(async (tx) => {
      await lockBlob(tx, sha256);
      const path = service.blobs.tempPath();
      await writeFile(path, png);
      expect(await service.blobs.commit(await service.blobs.pendingFromFile(path))).toBe(false);
      sweeping = sweep(0);
      await new Promise((resolve) => setTimeout(resolve, 500)); // without the lock, the sweep deletes now
      await tx.query(
        `INSERT INTO images (id, owner_id, filename, content_type, size_bytes, width, height, sha256, create_time)
         VALUES ($1, $2, 'race.png', 'image/png', $3, 40, 30, $4, now())`,
        [randomUUID(), OWNER, png.length, sha256],
      );
    });
    await sweeping;
    expect(await present(sha256)).toBe(true);
  });
});
