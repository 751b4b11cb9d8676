import { create } from "@bufbuild/protobuf";
import { type Database, openDatabase } from "@switchboard/database";
import { EchoRequestSchema } from "@switchboard/proto/switchboard/echo/v1/echo_pb.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { outboxMigrations } from "../src/outbox.js";
import { Outbox } from "../src/outbox-unit-of-work.js";

const TOPIC = "switchboard.test.v1";
const SOURCE = "/switchboard/test";
const echo = (text: string) => ({ schema: EchoRequestSchema, data: create(EchoRequestSchema, { text }) });

describe("Outbox.commit (the unit of work) on PGlite", () => {
  let db: Database;
  const relay = {
    wakes: 0,
    wake() {
      this.wakes++;
    },
  };
  let outbox: Outbox;

  const outboxRows = async () =>
    (
      await db.query<{ topic: string; type: string }>(
        "SELECT topic, type, attributes FROM outbox ORDER BY id",
      )
    ).rows;
  const accounts = async () => (await db.query<{ id: string }>("SELECT id FROM accounts ORDER BY id")).rows;

  beforeAll(async () => {
    db = await openDatabase({});
    await db.migrate("outbox", outboxMigrations);
    await db.query("CREATE TABLE accounts (id text PRIMARY KEY)");
    outbox = new Outbox(db, { source: SOURCE, relay });
  });

  afterAll(async () => {
    await db?.close();
  });

  it("commits the writes and the emitted events together, with the bound source, then wakes the relay", async () => {
    const before = relay.wakes;
    const event = await outbox.commit(async (tx) => {
      await tx.query("INSERT INTO accounts VALUES ('ana')");
      return tx.emit(TOPIC, { ...echo("hi"), subject: "ana" });
    });
    expect(event.source).toBe(SOURCE);
    expect(await accounts()).toEqual([{ id: "ana" }]);
    const [row] = await outboxRows();
    expect(row).toMatchObject({ topic: TOPIC, type: "switchboard.echo.v1.EchoRequest" });
    expect(relay.wakes).toBe(before + 1);
  });

  it("stores neither writes nor events when the work throws, and does not wake the relay", async () => {
    const [rowsBefore, wakesBefore] = [(await outboxRows()).length, relay.wakes];
    await expect(
      outbox.commit(async (tx) => {
        await tx.query("INSERT INTO accounts VALUES ('bo')");
        await tx.emit(TOPIC, echo("lost"));
        throw new Error("rule broken");
      }),
    ).rejects.toThrow("rule broken");
    expect(await accounts()).not.toContainEqual({ id: "bo" });
    expect(await outboxRows()).toHaveLength(rowsBefore);
    expect(relay.wakes).toBe(wakesBefore);
  });

  it("does not wake the relay for a commit that emitted nothing", async () => {
    const before = relay.wakes;
    const result = await outbox.commit(async (tx) => {
      await tx.query("INSERT INTO accounts VALUES ('cy')");
      return "done";
    });
    expect(result).toBe("done");
    expect(relay.wakes).toBe(before);
  });
});
