/** Anything that runs SQL (a Database or a transaction), as @switchboard/database defines it. */
interface Queryable {
  query<R extends Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<{ rows: R[] }>;
}

/** How many outbox rows wait to be published: a test reads the relay's progress from the table. */
export async function unsentOutboxRows(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM outbox WHERE sent_at IS NULL",
  );
  return rows[0]?.n ?? 0;
}
