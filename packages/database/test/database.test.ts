import { randomBytes } from "node:crypto";
import { ensureBrokers } from "@switchboard/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, type Migration, MigrationError, openDatabase } from "../src/index.js";

const engines = ["pglite", "postgres"] as const;

describe.each(engines)("database on %s", (engine) => {
  // A fresh schema per run, so runs (and the two engines) never see each other's tables.
  const schema = `test_${randomBytes(6).toString("hex")}`;
  let url: string | undefined;
  let db: Database;

  beforeAll(async () => {
    if (engine === "postgres") url = (await ensureBrokers("postgres")).postgres;
    db = await openDatabase({ url, schema });
    await db.query("CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL)");
  });

  afterAll(async () => {
    if (engine === "postgres") await db?.query(`DROP SCHEMA ${schema} CASCADE`);
    await db?.close();
  });

  it(`reports its engine as ${engine}`, () => {
    expect(db.kind).toBe(engine);
  });

  it("runs a query with positional parameters and returns int8 as a string", async () => {
    const { rows, rowCount } = await db.query<{ sum: number; big: string; text: string }>(
      "SELECT $1::int + $2::int AS sum, 9007199254740993::int8 AS big, $3::text AS text",
      [2, 3, "héllo"],
    );
    expect(rowCount).toBe(1);
    expect(rows).toEqual([{ sum: 5, big: "9007199254740993", text: "héllo" }]);
  });

  it("reports affected rows for writes", async () => {
    await db.query("INSERT INTO items VALUES (100, 'a'), (101, 'b')");
    expect((await db.query("UPDATE items SET name = 'c' WHERE id >= 100")).rowCount).toBe(2);
    expect((await db.query("DELETE FROM items WHERE id >= 100")).rowCount).toBe(2);
  });

  it("commits a transaction: all its writes are visible afterwards", async () => {
    const value = await db.transaction(async (tx) => {
      await tx.query("INSERT INTO items VALUES ($1, $2)", [1, "one"]);
      await tx.query("INSERT INTO items VALUES ($1, $2)", [2, "two"]);
      return "done";
    });
    expect(value).toBe("done");
    const { rows } = await db.query("SELECT id, name FROM items WHERE id IN (1, 2) ORDER BY id");
    expect(rows).toEqual([
      { id: 1, name: "one" },
      { id: 2, name: "two" },
    ]);
  });

  it("rolls back a throwing transaction, leaving none of its writes, and rethrows its error", async () => {
    const failure = new Error("business rule broken");
    await expect(
      db.transaction(async (tx) => {
        await tx.query("INSERT INTO items VALUES (10, 'ten')");
        await tx.query("INSERT INTO items VALUES (11, 'eleven')");
        throw failure;
      }),
    ).rejects.toBe(failure);
    const { rows } = await db.query("SELECT id FROM items WHERE id IN (10, 11)");
    expect(rows).toEqual([]);
  });

  it("rolls back a transaction whose statement fails", async () => {
    await expect(
      db.transaction(async (tx) => {
        await tx.query("INSERT INTO items VALUES (20, 'twenty')");
        await tx.query("INSERT INTO items VALUES (20, 'duplicate key')");
      }),
    ).rejects.toThrow(/duplicate key/);
    expect((await db.query("SELECT id FROM items WHERE id = 20")).rowCount).toBe(0);
  });

  it("refuses queries through a transaction handle after the transaction ended", async () => {
    let leaked: { query: Database["query"] } | undefined;
    await db.transaction(async (tx) => {
      leaked = tx;
    });
    await expect(leaked!.query("SELECT 1")).rejects.toThrow(/closed/i);
  });

  it("commits concurrent transactions, each with all of its own writes", async () => {
    await Promise.all(
      [30, 40, 50].map((base) =>
        db.transaction(async (tx) => {
          for (let i = 0; i < 3; i++) await tx.query("INSERT INTO items VALUES ($1, 'c')", [base + i]);
        }),
      ),
    );
    const { rows } = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM items WHERE id BETWEEN 30 AND 59",
    );
    expect(rows[0]?.n).toBe(9);
  });

  it.runIf(engine === "pglite")(
    "runs concurrent transactions one after the other, never interleaving statements",
    async () => {
      const trace: string[] = [];
      const run = (name: string) =>
        db.transaction(async (tx) => {
          trace.push(`${name} begin`);
          await tx.query("SELECT pg_sleep(0.01)");
          trace.push(`${name} middle`);
          await tx.query("SELECT 1");
          trace.push(`${name} end`);
        });
      await Promise.all([run("a"), run("b"), run("c")]);
      const order = trace.filter((line) => line.endsWith("begin")).map((line) => line[0]);
      expect(trace).toEqual(order.flatMap((name) => [`${name} begin`, `${name} middle`, `${name} end`]));
    },
  );

  it.runIf(engine === "pglite")(
    "throws, instead of deadlocking, when the Database is used inside its own transaction",
    async () => {
      await expect(db.transaction(async () => db.query("SELECT 1"))).rejects.toThrow(/deadlock/);
      await expect(db.transaction(async () => db.transaction(async () => {}))).rejects.toThrow(/deadlock/);
      expect((await db.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
    },
  );

  it("round-trips bytea: every byte value, returned as bytes", async () => {
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const { rows } = await db.query<{ b: Uint8Array }>("SELECT $1::bytea AS b", [bytes]);
    expect(rows[0]?.b).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(rows[0]!.b).equals(bytes)).toBe(true);
  });

  it("round-trips timestamptz as a Date to the millisecond", async () => {
    const when = new Date("2024-02-29T23:59:58.123Z");
    const { rows } = await db.query<{ t: Date; now: Date }>("SELECT $1::timestamptz AS t, now() AS now", [
      when,
    ]);
    expect(rows[0]?.t).toBeInstanceOf(Date);
    expect(rows[0]?.t.getTime()).toBe(when.getTime());
    expect(rows[0]?.now).toBeInstanceOf(Date);
  });

  it("round-trips jsonb as parsed JSON", async () => {
    const value = { text: "ü", list: [1, 2], nested: { ok: true } };
    const { rows } = await db.query("SELECT $1::jsonb AS j", [JSON.stringify(value)]);
    expect(rows[0]?.j).toEqual(value);
  });

  describe("migrations", () => {
    const createNotes: Migration = {
      version: 1,
      name: "create notes",
      sql: "CREATE TABLE notes (id int PRIMARY KEY)",
    };
    // Depends on version 1: applying it first would fail.
    const addBody: Migration = {
      version: 2,
      name: "add body",
      sql: "ALTER TABLE notes ADD COLUMN body text; CREATE INDEX notes_body ON notes (body)",
    };

    const applied = async (scope: string) =>
      (
        await db.query<{ version: number; name: string }>(
          "SELECT version, name FROM schema_migrations WHERE scope = $1 ORDER BY version",
          [scope],
        )
      ).rows;

    it("applies pending migrations once, in version order, whatever order they are given in", async () => {
      await db.migrate("notes", [addBody, createNotes]);
      expect(await applied("notes")).toEqual([
        { version: 1, name: "create notes" },
        { version: 2, name: "add body" },
      ]);
      await db.query("INSERT INTO notes (id, body) VALUES (1, 'x')");
    });

    it("treats re-running applied migrations as a no-op and applies only new ones", async () => {
      const before = await db.query(
        "SELECT version, applied_at FROM schema_migrations WHERE scope = 'notes'",
      );
      await db.migrate("notes", [createNotes, addBody]);
      expect(
        (await db.query("SELECT version, applied_at FROM schema_migrations WHERE scope = 'notes'")).rows,
      ).toEqual(expect.arrayContaining(before.rows));
      await db.migrate("notes", [
        createNotes,
        addBody,
        { version: 3, name: "add tag", sql: "ALTER TABLE notes ADD COLUMN tag text" },
      ]);
      expect((await applied("notes")).map((row) => row.version)).toEqual([1, 2, 3]);
    });

    it("keeps scopes apart: the same version numbers in another scope are separate migrations", async () => {
      await db.migrate("other", [{ version: 1, name: "create other", sql: "CREATE TABLE other (id int)" }]);
      expect(await applied("other")).toEqual([{ version: 1, name: "create other" }]);
      expect(await applied("notes")).toHaveLength(3);
    });

    it("rolls back a failing migration entirely, keeps the earlier ones, and reports which one failed", async () => {
      const failing: Migration = {
        version: 2,
        name: "broken",
        sql: "CREATE TABLE half_done (id int); SELECT no_such_column FROM half_done",
      };
      const error = await db
        .migrate("failing", [{ version: 1, name: "fine", sql: "CREATE TABLE fine (id int)" }, failing])
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(MigrationError);
      expect(error).toMatchObject({ scope: "failing", migration: { version: 2, name: "broken" } });
      expect((error as Error).message).toMatch(/failing v2 "broken".*no_such_column/);
      expect(await applied("failing")).toEqual([{ version: 1, name: "fine" }]);
      const halfDone = await db.query("SELECT to_regclass('half_done') AS t");
      expect(halfDone.rows[0]?.t).toBeNull();
    });

    it("applies each migration exactly once when several migrators run at the same time", async () => {
      // On Postgres a second handle is a second pool, as a second replica would be.
      const other = engine === "postgres" ? await openDatabase({ url, schema }) : db;
      try {
        const migrations: Migration[] = [
          { version: 1, name: "create race", sql: "CREATE TABLE race (id int)" },
          { version: 2, name: "fill race", sql: "INSERT INTO race VALUES (1)" },
        ];
        await Promise.all([
          db.migrate("race", migrations),
          other.migrate("race", migrations),
          db.migrate("race", migrations),
        ]);
        expect((await applied("race")).map((row) => row.version)).toEqual([1, 2]);
        expect((await db.query("SELECT id FROM race")).rows).toEqual([{ id: 1 }]);
      } finally {
        if (other !== db) await other.close();
      }
    });

    it("rejects duplicate or non-positive versions before touching the database", async () => {
      await expect(
        db.migrate("bad", [
          { version: 1, name: "a", sql: "SELECT 1" },
          { version: 1, name: "b", sql: "SELECT 1" },
        ]),
      ).rejects.toThrow(/appears twice/);
      await expect(db.migrate("bad", [{ version: 0, name: "zero", sql: "SELECT 1" }])).rejects.toThrow(
        /positive/,
      );
      expect(await applied("bad")).toEqual([]);
    });
  });
});
