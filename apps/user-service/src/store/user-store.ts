import type { Database, Queryable } from "@switchboard/database";
import { USER_COLUMNS, type UserRow } from "./user-row.js";

export class EmailTakenError extends Error {
  override name = "EmailTakenError";
}

export interface UserFields {
  name?: string;
  email?: string;
  avatarImageId?: string;
}

export type WriteOutcome = { row: UserRow } | { missing: true } | { stale: UserRow };

const UNIQUE_VIOLATION = "23505";

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string }).code === UNIQUE_VIOLATION;
}

/** Escapes LIKE wildcards so a filter matches its text literally. */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** What listings report as they go: a metrics port (a test counts with it; a service may export it). */
export interface ListingMetrics {
  /** A listing started. */
  opened(): void;
  /** It read one batch of rows. */
  batchRead(): void;
  /** It finished: read to its end, stopped by its signal, or abandoned by its reader. */
  closed(): void;
}

const NO_METRICS: ListingMetrics = { opened() {}, batchRead() {}, closed() {} };

/** The users table. Writes take the caller's transaction, so the outbox row commits with them. */
export class UserStore {
  constructor(
    readonly db: Database,
    private readonly metrics: ListingMetrics = NO_METRICS,
  ) {}

  async insert(
    tx: Queryable,
    user: { id: string; name: string; email: string; now: Date; passwordHash?: string },
  ): Promise<UserRow> {
    try {
      const { rows } = await tx.query<UserRow>(
        `INSERT INTO users (id, name, email, email_key, create_time, update_time, password_hash)
         VALUES ($1, $2, $3, lower($3), $4, $4, $5) RETURNING ${USER_COLUMNS}`,
        [user.id, user.name, user.email, user.now, user.passwordHash ?? null],
      );
      return rows[0]!;
    } catch (error) {
      if (isUniqueViolation(error)) throw new EmailTakenError(`email ${user.email} is taken`);
      throw error;
    }
  }

  async get(q: Queryable, id: string): Promise<UserRow | undefined> {
    const { rows } = await q.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [id]);
    return rows[0];
  }

  async findCreateRequest(q: Queryable, requestId: string) {
    const { rows } = await q.query<{ user_id: string; fingerprint: string }>(
      "SELECT user_id, fingerprint FROM create_requests WHERE request_id = $1",
      [requestId],
    );
    return rows[0];
  }

  async saveCreateRequest(
    tx: Queryable,
    requestId: string,
    userId: string,
    fingerprint: string,
  ): Promise<void> {
    await tx.query("INSERT INTO create_requests (request_id, user_id, fingerprint) VALUES ($1, $2, $3)", [
      requestId,
      userId,
      fingerprint,
    ]);
  }

  /** Applies `fields`, bumping the version; `expectedVersion` 0 skips the concurrency check. */
  async update(
    tx: Queryable,
    id: string,
    fields: UserFields,
    expectedVersion: bigint,
    now: Date,
  ): Promise<WriteOutcome> {
    const current = await tx.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1 FOR UPDATE`, [
      id,
    ]);
    const row = current.rows[0];
    if (!row) return { missing: true };
    if (expectedVersion !== 0n && BigInt(row.version) !== expectedVersion) return { stale: row };
    try {
      const { rows } = await tx.query<UserRow>(
        `UPDATE users SET name = $2, email = $3, email_key = lower($3), avatar_image_id = $4,
           update_time = $5, version = version + 1
         WHERE id = $1 RETURNING ${USER_COLUMNS}`,
        [
          id,
          fields.name ?? row.name,
          fields.email ?? row.email,
          fields.avatarImageId ?? row.avatar_image_id,
          now,
        ],
      );
      return { row: rows[0]! };
    } catch (error) {
      if (isUniqueViolation(error)) throw new EmailTakenError(`email ${fields.email} is taken`);
      throw error;
    }
  }

  async delete(tx: Queryable, id: string, expectedVersion: bigint): Promise<WriteOutcome> {
    const current = await tx.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1 FOR UPDATE`, [
      id,
    ]);
    const row = current.rows[0];
    if (!row) return { missing: true };
    if (expectedVersion !== 0n && BigInt(row.version) !== expectedVersion) return { stale: row };
    await tx.query("DELETE FROM users WHERE id = $1", [id]);
    return { row };
  }

  /**
   * Users matching `query`, in id order after `afterId`, read in batches (keyset pagination) so
   * that a stream of any length holds one batch in memory. When `signal` aborts, the listing
   * finishes at once, even if its consumer is stuck and never asks for the next row (a server
   * blocked writing to a client that has gone): nothing more is read, and nothing is held.
   */
  list(
    options: { query: string; afterId?: string; limit?: number; batchSize?: number },
    signal: AbortSignal,
  ): AsyncGenerator<UserRow> {
    const rows = this.#list(options, signal);
    const close = () => void rows.return(undefined).catch(() => undefined);
    if (signal.aborted) close();
    else signal.addEventListener("abort", close, { once: true });
    return rows;
  }

  async *#list(
    options: { query: string; afterId?: string; limit?: number; batchSize?: number },
    signal: AbortSignal,
  ): AsyncGenerator<UserRow> {
    const batchSize = options.batchSize ?? 500;
    let afterId = options.afterId ?? "00000000-0000-0000-0000-000000000000";
    let remaining = options.limit ?? Number.POSITIVE_INFINITY;
    const pattern = options.query ? likePattern(options.query) : null;
    this.metrics.opened();
    try {
      while (remaining > 0 && !signal.aborted) {
        const take = Math.min(batchSize, remaining);
        const { rows } = await this.db.query<UserRow>(
          `SELECT ${USER_COLUMNS} FROM users
           WHERE id > $1 AND ($2::text IS NULL OR name ILIKE $2 OR email ILIKE $2)
           ORDER BY id LIMIT $3`,
          [afterId, pattern, take],
        );
        this.metrics.batchRead();
        for (const row of rows) yield row;
        if (rows.length < take) return;
        remaining -= rows.length;
        afterId = rows[rows.length - 1]!.id;
      }
    } finally {
      this.metrics.closed();
    }
  }
}
