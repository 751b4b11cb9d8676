import type { Database, DatabaseOptions } from "./database.js";
import { openPglite } from "./pglite.js";
import { openPostgres } from "./postgres.js";

// Plain lower-case identifiers only: they need no quoting rules in connection options or SQL.
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** PostgreSQL when `url` is set, PGlite (in `dataDir`, or in memory) otherwise. */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const { schema } = options;
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new Error(`schema "${schema}" must match ${SCHEMA_NAME}`);
  }
  if (options.url) {
    return openPostgres({
      url: options.url,
      schema,
      applicationName: options.applicationName ?? "switchboard",
      onConnectionError: options.onConnectionError ?? (() => {}),
    });
  }
  return openPglite(options.dataDir, schema);
}
