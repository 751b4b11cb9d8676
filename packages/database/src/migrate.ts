import type { Migration, Queryable } from "./database.js";

/** A transaction that can also run a multi-statement script (a migration's SQL). */
export interface ScriptTransaction extends Queryable {
  runScript(sql: string): Promise<void>;
}

/** What each engine gives the migrator: transactions whose handle runs scripts. */
export interface MigrationTarget extends Queryable {
  scriptTransaction<T>(work: (tx: ScriptTransaction) => Promise<T>): Promise<T>;
}

/** A migration failed; it was rolled back, and the ones before it stay applied. */
export class MigrationError extends Error {
  override name = "MigrationError";
  constructor(
    readonly scope: string,
    readonly migration: Pick<Migration, "version" | "name">,
    cause: unknown,
  ) {
    super(
      `migration ${scope} v${migration.version} "${migration.name}" failed: ${
        cause instanceof Error ? cause.message : String(cause)
      }`,
      { cause },
    );
  }
}

// Advisory-lock namespace (first key of the two-key form), so our locks never collide with an
// application's own single-key advisory locks.
const LOCK_NAMESPACE = "schema_migrations";

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  scope text NOT NULL,
  version int NOT NULL,
  name text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (scope, version)
)`;

/**
 * Applies the migrations of `scope` not yet recorded in schema_migrations, each in its own
 * transaction, in version order. Concurrent migrators (several replicas starting at once) queue
 * on a transaction-scoped advisory lock per scope and re-check under it, so each migration runs
 * exactly once.
 */
export async function runMigrations(
  target: MigrationTarget,
  scope: string,
  migrations: readonly Migration[],
): Promise<void> {
  const ordered = validated(migrations);
  // CREATE TABLE IF NOT EXISTS is not safe against itself concurrently, hence the lock.
  await target.scriptTransaction(async (tx) => {
    await lock(tx, LOCK_NAMESPACE);
    await tx.query(CREATE_TABLE);
  });
  const applied = await appliedVersions(target, scope);
  for (const migration of ordered) {
    if (applied.has(migration.version)) continue;
    await target.scriptTransaction(async (tx) => {
      await lock(tx, scope);
      // Another migrator may have applied it while we waited for the lock.
      const again = await tx.query("SELECT 1 FROM schema_migrations WHERE scope = $1 AND version = $2", [
        scope,
        migration.version,
      ]);
      if (again.rowCount > 0) return;
      try {
        await tx.runScript(migration.sql);
      } catch (error) {
        throw new MigrationError(scope, migration, error);
      }
      await tx.query("INSERT INTO schema_migrations (scope, version, name) VALUES ($1, $2, $3)", [
        scope,
        migration.version,
        migration.name,
      ]);
    });
  }
}

function validated(migrations: readonly Migration[]): Migration[] {
  const seen = new Set<number>();
  for (const { version, name } of migrations) {
    if (!Number.isInteger(version) || version < 1) {
      throw new Error(`migration "${name}": version must be a positive integer, got ${version}`);
    }
    if (seen.has(version)) throw new Error(`migration version ${version} appears twice`);
    seen.add(version);
  }
  return [...migrations].sort((a, b) => a.version - b.version);
}

async function appliedVersions(target: MigrationTarget, scope: string): Promise<Set<number>> {
  const { rows } = await target.query<{ version: number }>(
    "SELECT version FROM schema_migrations WHERE scope = $1",
    [scope],
  );
  return new Set(rows.map((row) => row.version));
}

async function lock(tx: Queryable, key: string): Promise<void> {
  await tx.query("SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))", [LOCK_NAMESPACE, key]);
}
