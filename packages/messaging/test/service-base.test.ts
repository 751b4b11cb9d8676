import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create } from "@bufbuild/protobuf";
import { UserDeletedSchema } from "@switchboard/proto/switchboard/events/v1/events_pb.js";
import { memoryLogger, until } from "@switchboard/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeEvent } from "../src/cloudevents.js";
import { Outbox } from "../src/outbox-unit-of-work.js";
import type { MessageBroker, OutgoingEvent } from "../src/port.js";
import { ServiceBase } from "../src/service-base.js";

/** A broker that records the topics it publishes to: the relay's only collaborator here. */
function recordingBroker() {
  const published: { topic: string; type: string }[] = [];
  const broker: MessageBroker = {
    kind: "recording",
    async publish(topic: string, event: OutgoingEvent) {
      published.push({ topic, type: event.schema.typeName });
      return encodeEvent(event, "/test").event;
    },
    async subscribe() {
      return { close: async () => {} };
    },
    async close() {},
  };
  return { broker, published };
}

// The embedded PGlite under a temporary DATA_DIR: no database server needed. The presence needs
// Mosquitto and is covered by presence.test.ts; this test never announces it.
describe("ServiceBase: what every service runs beside its own code", () => {
  let dataDir: string;
  let base: ServiceBase;
  const { logger, lines } = memoryLogger();
  const { broker, published } = recordingBroker();
  let outbox: Outbox;
  const userDeleted = (userId: string) => ({
    schema: UserDeletedSchema,
    data: create(UserDeletedSchema, { userId }),
  });

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "service-base-"));
    base = await ServiceBase.open({
      service: "test-service",
      logger,
      settings: { DATA_DIR: dataDir, MQTT_URL: "mqtt://127.0.0.1:1", MQTT_USERNAME: "x", MQTT_PASSWORD: "x" },
      migrations: [{ version: 1, name: "accounts", sql: "CREATE TABLE accounts (id text PRIMARY KEY)" }],
    });
  });

  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it("opens the database under DATA_DIR/db, migrated: the service's tables, the outbox and the inbox", async () => {
    const tables = await base.db.query<{ name: string }>(
      "SELECT table_name AS name FROM information_schema.tables WHERE table_name IN ('accounts', 'outbox', 'inbox') ORDER BY 1",
    );
    expect(tables.rows.map((r) => r.name)).toEqual(["accounts", "inbox", "outbox"]);
    expect(lines.some((line) => line.msg === "database ready")).toBe(true);
  });

  it("relays what the service's outbox commits through the broker it is given", async () => {
    const relay = base.startRelay(broker);
    outbox = new Outbox(base.db, { source: "/switchboard/test-service", relay });
    await outbox.commit(async (tx) => {
      await tx.query("INSERT INTO accounts VALUES ('ana')");
      await tx.emit("test.users", userDeleted("ana"));
    });
    await until(() => published.length === 1);
    expect(published).toEqual([{ topic: "test.users", type: "switchboard.events.v1.UserDeleted" }]);
    expect(() => base.startRelay(broker)).toThrow(/already running/);
  });

  it("runs housekeeping now and periodically, logging a failure instead of stopping", async () => {
    let runs = 0;
    await base.every(
      20,
      "flaky chore",
      async () => {
        runs++;
        throw new Error("disk full");
      },
      { now: true },
    );
    expect(runs).toBe(1); // the first run is over when every() resolves
    await until(() => runs >= 3);
    expect(lines.some((line) => line.msg === "flaky chore failed; will try again")).toBe(true);
  });

  it("prunes the inbox of events handled longer ago than it keeps them", async () => {
    await base.db.query(
      "INSERT INTO inbox (consumer, event_id, received_at) VALUES ('c', 'old', now() - interval '30 days'), ('c', 'new', now())",
    );
    await base.pruneInboxHourly();
    const left = await base.db.query<{ event_id: string }>("SELECT event_id FROM inbox");
    expect(left.rows).toEqual([{ event_id: "new" }]);
    expect(lines.find((line) => line.msg === "inbox: pruned handled events")).toMatchObject({ forgotten: 1 });
  });

  it("stops in order: timers, the app's drain, the relay, the app's release, the database last", async () => {
    const steps: string[] = [];
    let chores = 0;
    await base.every(10, "counting chore", async () => void chores++);
    await base.stop({
      drain: async () => void steps.push("drain"),
      release: async () => {
        // The relay stopped before: a commit now stays in the outbox, unpublished.
        await outbox.commit((tx) => tx.emit("test.users", userDeleted("bo")));
        await new Promise((resolve) => setTimeout(resolve, 100));
        steps.push(`release (published ${published.length})`);
      },
    });
    expect(steps).toEqual(["drain", "release (published 1)"]);
    const choresAtStop = chores;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(chores).toBe(choresAtStop);
    await expect(base.db.query("SELECT 1")).rejects.toThrow();
  });
});
