export type { Database, DatabaseOptions, Migration, Queryable, Row } from "./database.js";
export { MigrationError } from "./migrate.js";
export { openDatabase } from "./open-database.js";
