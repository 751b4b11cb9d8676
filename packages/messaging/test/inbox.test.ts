import { randomBytes } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { type Database, openDatabase } from "@switchboard/database";
import { EchoRequestSchema } from "@switchboard/proto/switchboard/echo/v1/echo_pb.js";
import { ensureBrokers } from "@switchboard/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeEvent } from "../src/cloudevents.js";
import { Inbox, inboxMigrations } from "../src/inbox.js";

const engines = ["pglite", "postgres"] as const;

describe.each(engines)("inbox on %s", (engine) => {
  const schema = `inbox_${randomBytes(6).toString("hex")}`;
  const inbox = new Inbox();
  let db: Database;

  const newEvent = () =>
    encodeEvent(
      { schema: EchoRequestSchema, data: create(EchoRequestSchema, { text: "hello" }) },
      "/switchboard/test",
    ).event;
  /** The consumer's work: one row per run, so the tests can count runs. */
  const countRun = (eventId: string) => async (tx: { query: Database["query"] }) => {
    await tx.query("INSERT INTO effects (event_id) VALUES ($1)", [eventId]);
  };
  const runs = async (eventId: string) =>
    (await db.query("SELECT 1 FROM effects WHERE event_id = $1", [eventId])).rowCount;

  beforeAll(async () => {
    const url = engine === "postgres" ? (await ensureBrokers("postgres")).postgres : undefined;
    db = await openDatabase({ url, schema });
    await db.migrate("inbox", inboxMigrations);
    await db.query("CREATE TABLE effects (id serial PRIMARY KEY, event_id text NOT NULL)");
  });

  afterAll(async () => {
    if (engine === "postgres") await db?.query(`DROP SCHEMA ${schema} CASCADE`);
    await db?.close();
  });

  it("runs the work once when the same event is handled twice", async () => {
    const event = newEvent();
    expect(await inbox.handleOnce(db, "mailer", event, countRun(event.id))).toBe(true);
    expect(await inbox.handleOnce(db, "mailer", event, countRun(event.id))).toBe(false);
    expect(await runs(event.id)).toBe(1);
  });

  it("forgets events handled longer ago than keepMs: a copy arriving after that runs the work again", async () => {
    const [old, recent] = [newEvent(), newEvent()];
    await inbox.handleOnce(db, "pruner", old, countRun(old.id));
    await inbox.handleOnce(db, "pruner", recent, countRun(recent.id));
    await db.query("UPDATE inbox SET received_at = now() - interval '15 days' WHERE event_id = $1", [old.id]);

    expect(await inbox.prune(db, 14 * 24 * 60 * 60 * 1000)).toBe(1);
    expect(await inbox.handleOnce(db, "pruner", recent, countRun(recent.id))).toBe(false);
    expect(await inbox.handleOnce(db, "pruner", old, countRun(old.id))).toBe(true);
    expect(await runs(old.id)).toBe(2);
  });

  it("runs the work once when the same event is delivered twice at the same moment", async () => {
    const event = newEvent();
    const handled = await Promise.all([
      inbox.handleOnce(db, "mailer", event, countRun(event.id)),
      inbox.handleOnce(db, "mailer", event, countRun(event.id)),
    ]);
    expect(handled.sort()).toEqual([false, true]);
    expect(await runs(event.id)).toBe(1);
  });

  it("forgets an event whose work failed, with the work's writes, so a retry runs it again", async () => {
    const event = newEvent();
    await expect(
      inbox.handleOnce(db, "mailer", event, async (tx) => {
        await countRun(event.id)(tx);
        throw new Error("smtp down");
      }),
    ).rejects.toThrow("smtp down");
    expect(await runs(event.id)).toBe(0);

    expect(await inbox.handleOnce(db, "mailer", event, countRun(event.id))).toBe(true);
    expect(await runs(event.id)).toBe(1);
  });

  it("keeps consumers apart: each consumer handles the same event once", async () => {
    const event = newEvent();
    expect(await inbox.handleOnce(db, "mailer", event, countRun(event.id))).toBe(true);
    expect(await inbox.handleOnce(db, "pusher", event, countRun(event.id))).toBe(true);
    expect(await inbox.handleOnce(db, "pusher", event, countRun(event.id))).toBe(false);
    expect(await runs(event.id)).toBe(2);
  });
});
