import type { Database } from "@switchboard/database";
import type { Logger } from "@switchboard/runtime";
import { lockBlob } from "./blob-lock.js";
import type { BlobStore } from "./blob-store.js";

/** Blobs younger than this are never swept: an upload may be about to reference them. */
export const BLOB_SWEEP_GRACE_MS = 60 * 60 * 1000;

/**
 * Deletes the blobs no image or variant references — left by a transaction that failed after
 * its blob was renamed into place, or by deleted images. Each candidate is checked and removed
 * under the blob's lock (lockBlob), inside a transaction, so an upload of the same bytes running
 * at the same time either commits first (and the blob stays) or finds the bytes gone and stores
 * its own copy. Blobs modified within `graceMs` are left alone.
 */
export async function sweepOrphanBlobs(deps: {
  db: Database;
  blobs: BlobStore;
  logger: Logger;
  graceMs?: number;
}): Promise<{ examined: number; deleted: number }> {
  const cutoff = Date.now() - (deps.graceMs ?? BLOB_SWEEP_GRACE_MS);
  let examined = 0;
  let deleted = 0;
  for await (const { sha256, modifiedMs } of deps.blobs.list()) {
    examined++;
    if (modifiedMs > cutoff) continue;
    if (await removeBlobIfUnreferenced(deps, sha256, cutoff)) deleted++;
  }
  if (deleted > 0) deps.logger.info({ examined, deleted }, "blob sweep: removed unreferenced blobs");
  return { examined, deleted };
}

/**
 * Removes one blob if no image or variant references it (and, with `touchedBefore`, only if it
 * was last committed before then). Checked and removed under the blob's lock, in a transaction,
 * so an upload of the same bytes committing at the same time either commits first (the blob
 * stays) or finds the bytes gone and stores its own copy. Returns whether it removed the blob.
 */
export async function removeBlobIfUnreferenced(
  deps: { db: Database; blobs: BlobStore },
  sha256: string,
  touchedBefore = Number.POSITIVE_INFINITY,
): Promise<boolean> {
  return deps.db.transaction(async (tx) => {
    await lockBlob(tx, sha256);
    const { rows } = await tx.query<{ referenced: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM images WHERE sha256 = $1)
           OR EXISTS (SELECT 1 FROM image_variants WHERE sha256 = $1) AS referenced`,
      [sha256],
    );
    // Re-read the time under the lock: a commit of the same bytes touches the blob (-1: none left).
    const modifiedMs = await deps.blobs.modifiedMs(sha256);
    if (rows[0]?.referenced || modifiedMs < 0 || modifiedMs > touchedBefore) return false;
    await deps.blobs.remove(sha256);
    return true;
  });
}
