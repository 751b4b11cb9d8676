import type { Database, Queryable } from "@switchboard/database";
import type { JWK } from "jose";

/** A row of signing_keys. */
export type SigningKeyRow = {
  kid: string;
  private_jwk: JWK;
  public_jwk: JWK;
  created_at: Date;
  retired_at: Date | null;
  not_after: Date | null;
};

/** Any constant: the advisory lock that lets one instance at a time rotate the keys. */
const ROTATION_LOCK = 7_204_118_336;

/** The signing_keys table. Rotation runs under one advisory lock, so instances sharing the database never race. */
export class SigningKeyStore {
  constructor(readonly db: Database) {}

  /** The newest key still signing, if any. */
  async current(q: Queryable): Promise<SigningKeyRow | undefined> {
    const { rows } = await q.query<SigningKeyRow>(
      "SELECT * FROM signing_keys WHERE retired_at IS NULL ORDER BY created_at DESC LIMIT 1",
    );
    return rows[0];
  }

  /** Every key that may have signed a token still valid at `now`. */
  async published(now: Date): Promise<SigningKeyRow[]> {
    const { rows } = await this.db.query<SigningKeyRow>(
      "SELECT * FROM signing_keys WHERE not_after IS NULL OR not_after > $1 ORDER BY created_at",
      [now],
    );
    return rows;
  }

  /** Runs `work` holding the rotation lock (released at commit). */
  withRotationLock<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.db.transaction(async (tx) => {
      await tx.query("SELECT pg_advisory_xact_lock($1)", [ROTATION_LOCK]);
      return work(tx);
    });
  }

  /** Adds `key` as the signing key: the others stop signing now and leave the JWKS at `oldNotAfter`. */
  async rotateTo(
    tx: Queryable,
    key: Pick<SigningKeyRow, "kid" | "private_jwk" | "public_jwk" | "created_at">,
    oldNotAfter: Date,
  ): Promise<void> {
    await tx.query("UPDATE signing_keys SET retired_at = $1, not_after = $2 WHERE retired_at IS NULL", [
      key.created_at,
      oldNotAfter,
    ]);
    await tx.query(
      "INSERT INTO signing_keys (kid, private_jwk, public_jwk, created_at) VALUES ($1, $2, $3, $4)",
      [key.kid, JSON.stringify(key.private_jwk), JSON.stringify(key.public_jwk), key.created_at],
    );
    // Keys past their not_after verify nothing any more.
    await tx.query("DELETE FROM signing_keys WHERE not_after <= $1", [key.created_at]);
  }
}
