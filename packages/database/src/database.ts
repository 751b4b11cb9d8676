/**
 * The one database interface every service and the outbox use: PostgreSQL (node-postgres)
 * when DATABASE_URL is set, PGlite (real Postgres in WASM, in-process) otherwise. The same SQL
 * runs on both, so the same store tests run on both.
 */

/** A row as returned by a query: column name → value (pg types: string, number, boolean, Date, Buffer/Uint8Array, null, bigint as string). */
export type Row = Record<string, unknown>;

/** Something that runs SQL: the database itself, or one transaction. Parameters are $1, $2, … */
export interface Queryable {
  query<R extends Row = Row>(
    sql: string,
    params?: readonly unknown[],
  ): Promise<{ rows: R[]; rowCount: number }>;
}

/** One versioned migration. Applied once, in order of `version`, each in its own transaction. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export interface Database extends Queryable {
  /** "postgres" or "pglite": which engine is behind this handle (for logs and tests). */
  readonly kind: "postgres" | "pglite";
  /**
   * Runs `work` in one transaction (BEGIN … COMMIT; ROLLBACK when it throws). Everything
   * queried through `tx` is part of it; queries on the Database itself are not. PGlite has a
   * single connection, so there the Database waits until a running transaction ends: inside
   * `work`, use only `tx` (PGlite throws if you don't, instead of deadlocking).
   */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Applies the migrations not yet applied (tracked in table schema_migrations, per `scope`). */
  migrate(scope: string, migrations: readonly Migration[]): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** postgres://… — use real PostgreSQL. */
  url?: string;
  /** Folder for PGlite's files when no url is given; omit for an in-memory database (tests). */
  dataDir?: string;
  /** A PostgreSQL schema to create and use (search_path), so several services can share one server in tests. */
  schema?: string;
  /** PostgreSQL only: shown in pg_stat_activity (default "switchboard"). */
  applicationName?: string;
  /**
   * PostgreSQL only: an idle pooled connection broke (e.g. the server restarted). The pool has
   * already dropped it and reconnects on the next query; this is for logging. Default: ignored.
   */
  onConnectionError?: (error: Error) => void;
}
