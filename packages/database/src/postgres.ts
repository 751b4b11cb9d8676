import pg from "pg";
import type { Database, Migration, Queryable, Row } from "./database.js";
import { type MigrationTarget, runMigrations, type ScriptTransaction } from "./migrate.js";

export interface PostgresOptions {
  url: string;
  /** Already validated as a plain lower-case identifier. */
  schema: string | undefined;
  applicationName: string;
  onConnectionError: (error: Error) => void;
}

/** Real PostgreSQL through a small node-postgres pool; each transaction gets its own pooled connection. */
export async function openPostgres(options: PostgresOptions): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: 5,
    application_name: options.applicationName,
    connectionTimeoutMillis: 10_000,
    // Set at connect time, so every pooled connection uses the schema without an extra round trip.
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
  });
  // Without a listener, an idle connection that breaks (server restart) would crash the process;
  // the pool has already discarded it and the next query opens a fresh one.
  pool.on("error", options.onConnectionError);
  const db = new PostgresDatabase(pool);
  try {
    const { schema } = options;
    if (schema) {
      // CREATE SCHEMA IF NOT EXISTS races with itself, so concurrent openers queue on a lock.
      await db.scriptTransaction(async (tx) => {
        await tx.query("SELECT pg_advisory_xact_lock(hashtext('create schema'), hashtext($1))", [schema]);
        await tx.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      });
    } else {
      await db.query("SELECT 1");
    }
  } catch (error) {
    await pool.end();
    throw error;
  }
  return db;
}

class PostgresDatabase implements Database, MigrationTarget {
  readonly kind = "postgres";

  constructor(private readonly pool: pg.Pool) {}

  async query<R extends Row = Row>(sql: string, params?: readonly unknown[]) {
    return result<R>(await this.pool.query<R>(sql, params as unknown[] | undefined));
  }

  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.scriptTransaction(work);
  }

  async scriptTransaction<T>(work: (tx: ScriptTransaction) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let open = true;
    const usable = () => {
      // After release the connection belongs to someone else: a late query must not run on it.
      if (!open) throw new Error("transaction is closed");
      return client;
    };
    const tx: ScriptTransaction = {
      query: async <R extends Row = Row>(sql: string, params?: readonly unknown[]) =>
        result<R>(await usable().query<R>(sql, params as unknown[] | undefined)),
      runScript: async (sql) => {
        // Without parameters pg uses the simple query protocol, which accepts several statements.
        await usable().query(sql);
      },
    };
    let broken: Error | undefined;
    try {
      await client.query("BEGIN");
      const value = await work(tx);
      await client.query("COMMIT");
      return value;
    } catch (error) {
      await client.query("ROLLBACK").catch((rollbackError: Error) => {
        broken = rollbackError;
      });
      throw error;
    } finally {
      open = false;
      // A connection that could not even roll back is destroyed instead of reused.
      client.release(broken);
    }
  }

  migrate(scope: string, migrations: readonly Migration[]): Promise<void> {
    return runMigrations(this, scope, migrations);
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

function result<R extends Row>(value: pg.QueryResult<R>): { rows: R[]; rowCount: number } {
  return { rows: value.rows, rowCount: value.rowCount ?? 0 };
}
