import type { Queryable } from "@switchboard/database";

/**
 * Holds a lock on one content address until `tx` ends. Whoever commits a blob and whoever
 * sweeps one take it first, so a sweep never removes bytes that an upload of the same content
 * is about to reference: one waits for the other's transaction to finish.
 */
export async function lockBlob(tx: Queryable, sha256: string): Promise<void> {
  await tx.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [`blob:${sha256}`]);
}
