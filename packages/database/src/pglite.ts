import { AsyncLocalStorage } from "node:async_hooks";
import { mkdirSync } from "node:fs";
import { PGlite, type Transaction, types } from "@electric-sql/pglite";
import type { Database, Migration, Queryable, Row } from "./database.js";
import { type MigrationTarget, runMigrations, type ScriptTransaction } from "./migrate.js";

/**
 * PGlite: real Postgres compiled to WASM, in this process, one connection. Its transaction()
 * holds a mutex that its top-level query() also takes, so concurrent transactions run one after
 * the other and never interleave statements.
 */
export async function openPglite(dataDir: string | undefined, schema: string | undefined): Promise<Database> {
  // PGlite creates the data folder itself, but not its parents.
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  // The one-object form: PGlite ignores the options argument when dataDir is undefined.
  const pglite = new PGlite({
    ...(dataDir ? { dataDir } : {}),
    // node-postgres returns int8 as a string (it can exceed 2^53); PGlite a number or a bigint.
    parsers: { [types.INT8]: (value: string) => value },
  });
  await pglite.waitReady;
  if (schema) {
    // One connection, so a session-level search_path covers every later query.
    await pglite.exec(`CREATE SCHEMA IF NOT EXISTS "${schema}"; SET search_path TO "${schema}"`);
  }
  return new PgliteDatabase(pglite);
}

class PgliteDatabase implements Database, MigrationTarget {
  readonly kind = "pglite";
  // Marks code running inside one of this database's transactions.
  private readonly inTransaction = new AsyncLocalStorage<true>();

  constructor(private readonly pglite: PGlite) {}

  async query<R extends Row = Row>(sql: string, params?: readonly unknown[]) {
    this.refuseInsideTransaction();
    return result<R>(await this.pglite.query<R>(sql, params as unknown[] | undefined));
  }

  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.scriptTransaction(work);
  }

  scriptTransaction<T>(work: (tx: ScriptTransaction) => Promise<T>): Promise<T> {
    this.refuseInsideTransaction();
    return this.pglite.transaction((pgTx: Transaction) => {
      const tx: ScriptTransaction = {
        query: async <R extends Row = Row>(sql: string, params?: readonly unknown[]) =>
          result<R>(await pgTx.query<R>(sql, params as unknown[] | undefined)),
        runScript: async (sql) => {
          await pgTx.exec(sql);
        },
      };
      return this.inTransaction.run(true, () => work(tx));
    });
  }

  migrate(scope: string, migrations: readonly Migration[]): Promise<void> {
    return runMigrations(this, scope, migrations);
  }

  close(): Promise<void> {
    return this.pglite.close();
  }

  // With a single connection, the Database itself waits for the running transaction to end, so
  // using it (instead of `tx`) from inside that transaction would wait forever. Fail loudly instead.
  private refuseInsideTransaction(): void {
    if (this.inTransaction.getStore()) {
      throw new Error(
        "PGlite: inside transaction(), query through its `tx`, not the Database (it would deadlock)",
      );
    }
  }
}

function result<R extends Row>(value: { rows: R[]; affectedRows?: number }): { rows: R[]; rowCount: number } {
  // PGlite reports 0 affected rows for SELECT; node-postgres reports the rows returned.
  return { rows: value.rows, rowCount: Math.max(value.affectedRows ?? 0, value.rows.length) };
}
