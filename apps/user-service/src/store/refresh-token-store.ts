import type { Queryable } from "@switchboard/database";

/** A row of refresh_tokens (the token itself is never stored, only its SHA-256). */
export type RefreshTokenRow = {
  token_hash: string;
  family_id: string;
  user_id: string;
  expires_at: Date;
  used_at: Date | null;
  revoked_at: Date | null;
};

/** The refresh_tokens table. Every method takes the caller's transaction (or the database). */
export class RefreshTokenStore {
  async insert(
    q: Queryable,
    token: { tokenHash: string; familyId: string; userId: string; now: Date; expiresAt: Date },
  ): Promise<void> {
    await q.query(
      `INSERT INTO refresh_tokens (token_hash, family_id, user_id, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5)`,
      [token.tokenHash, token.familyId, token.userId, token.now, token.expiresAt],
    );
  }

  /** The token's row, locked until the transaction ends (two refreshes of one token take turns). */
  async lock(tx: Queryable, tokenHash: string): Promise<RefreshTokenRow | undefined> {
    const { rows } = await tx.query<RefreshTokenRow>(
      `SELECT token_hash, family_id, user_id, expires_at, used_at, revoked_at
       FROM refresh_tokens WHERE token_hash = $1 FOR UPDATE`,
      [tokenHash],
    );
    return rows[0];
  }

  async markUsed(tx: Queryable, tokenHash: string, now: Date): Promise<void> {
    await tx.query("UPDATE refresh_tokens SET used_at = $2 WHERE token_hash = $1", [tokenHash, now]);
  }

  async revokeFamily(q: Queryable, familyId: string, now: Date): Promise<void> {
    await q.query("UPDATE refresh_tokens SET revoked_at = $2 WHERE family_id = $1 AND revoked_at IS NULL", [
      familyId,
      now,
    ]);
  }

  async revokeUser(q: Queryable, userId: string, now: Date): Promise<void> {
    await q.query("UPDATE refresh_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL", [
      userId,
      now,
    ]);
  }

  /** Forgets tokens that expired before `before` (nothing can use them any more). */
  async deleteExpired(q: Queryable, before: Date): Promise<number> {
    const { rowCount } = await q.query("DELETE FROM refresh_tokens WHERE expires_at < $1", [before]);
    return rowCount;
  }
}
