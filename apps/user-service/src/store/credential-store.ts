import type { Queryable } from "@switchboard/database";

/** What logging in needs of a user: never part of a User message, an event or a log line. */
export type CredentialRow = {
  id: string;
  roles: string[];
  /** NULL: the user has no password and cannot log in. */
  password_hash: string | null;
};

/** The credential columns of the users table (password hash and roles). */
export class CredentialStore {
  async byEmail(q: Queryable, email: string): Promise<CredentialRow | undefined> {
    const { rows } = await q.query<CredentialRow>(
      "SELECT id, roles, password_hash FROM users WHERE email_key = lower($1)",
      [email],
    );
    return rows[0];
  }

  async byId(q: Queryable, id: string): Promise<CredentialRow | undefined> {
    const { rows } = await q.query<CredentialRow>(
      "SELECT id, roles, password_hash FROM users WHERE id = $1",
      [id],
    );
    return rows[0];
  }

  /** Whether the user exists (its password is then set). */
  async setPassword(q: Queryable, id: string, passwordHash: string): Promise<boolean> {
    const { rowCount } = await q.query("UPDATE users SET password_hash = $2 WHERE id = $1", [
      id,
      passwordHash,
    ]);
    return rowCount > 0;
  }

  async anyWithRole(q: Queryable, role: string): Promise<boolean> {
    const { rows } = await q.query("SELECT 1 FROM users WHERE $1 = ANY (roles) LIMIT 1", [role]);
    return rows.length > 0;
  }

  /** Adds `role` to the user with this email (once); whether there is one. */
  async grantRoleByEmail(q: Queryable, email: string, role: string): Promise<boolean> {
    const { rowCount } = await q.query(
      `UPDATE users SET roles = CASE WHEN $2 = ANY (roles) THEN roles ELSE array_append(roles, $2) END
       WHERE email_key = lower($1)`,
      [email, role],
    );
    return rowCount > 0;
  }
}
