import { randomBytes } from "node:crypto";
import { create, createRegistry, type DescMessage } from "@bufbuild/protobuf";
import { type Database, openDatabase } from "@switchboard/database";
import { EchoRequestSchema, EchoResponseSchema } from "@switchboard/proto/switchboard/echo/v1/echo_pb.js";
import { ensureBrokers, memoryLogger, unsentOutboxRows } from "@switchboard/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { encodeEvent } from "../src/cloudevents.js";
import { addToOutbox, outboxMigrations } from "../src/outbox.js";
import { OutboxRelay, type OutboxRelayOptions } from "../src/outbox-relay.js";
import type { CloudEvent, MessageBroker, OutgoingEvent, Subscription } from "../src/port.js";

/**
 * A MessageBroker that only records what it is asked to publish (encoded for real) and fails
 * on demand: for unit-testing the relay's own logic. The relay against real Kafka is tested
 * with the Kafka adapter.
 */
class RecordingBroker implements MessageBroker {
  readonly kind = "recording";
  /** Ids of every publish attempt, confirmed or not, in order. */
  readonly attempts: string[] = [];
  /** What the broker confirmed, in order. */
  readonly published: { topic: string; event: CloudEvent }[] = [];
  /** While set, publishing an event it matches fails. */
  failWhen: ((event: CloudEvent) => boolean) | undefined;
  /** Runs before each confirm (the test may hold a publish in flight). */
  beforeConfirm: (() => Promise<void>) | undefined;

  async publish<Desc extends DescMessage>(topic: string, outgoing: OutgoingEvent<Desc>): Promise<CloudEvent> {
    const { event } = encodeEvent(outgoing, "/test/recording-broker");
    this.attempts.push(event.id);
    await this.beforeConfirm?.();
    if (this.failWhen?.(event)) throw new Error("broker unavailable");
    this.published.push({ topic, event });
    return event;
  }

  subscribe(): Promise<Subscription> {
    throw new Error("RecordingBroker only records publishes");
  }

  async close(): Promise<void> {}

  publishedIds(): string[] {
    return this.published.map(({ event }) => event.id);
  }
}

async function eventually(what: string, check: () => Promise<boolean> | boolean): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const TOPIC = "switchboard.test.v1";
const SOURCE = "/switchboard/test";
const TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
// EchoResponse is left out on purpose: it plays an event type this deployment does not know.
const registry = createRegistry(EchoRequestSchema);

describe("outbox and relay on PGlite", () => {
  let db: Database;
  const relays: OutboxRelay[] = [];

  function startRelay(broker: MessageBroker, options: Partial<OutboxRelayOptions> = {}): OutboxRelay {
    const relay = new OutboxRelay({
      db,
      broker,
      registry,
      logger: memoryLogger().logger,
      pollIntervalMs: 20,
      maxBackoffMs: 100,
      ...options,
    });
    relays.push(relay);
    relay.start();
    return relay;
  }

  const addEvent = (text: string, subject = "user-1") =>
    db.transaction((tx) =>
      addToOutbox(
        tx,
        TOPIC,
        {
          schema: EchoRequestSchema,
          data: create(EchoRequestSchema, { text }),
          subject,
          extensions: { traceparent: TRACEPARENT },
        },
        SOURCE,
      ),
    );

  const row = async (eventId: string) =>
    (
      await db.query<{ sent_at: Date | null; attempts: number; last_error: string | null }>(
        "SELECT sent_at, attempts, last_error FROM outbox WHERE event_id = $1",
        [eventId],
      )
    ).rows[0];

  beforeAll(async () => {
    db = await openDatabase({});
    await db.migrate("outbox", outboxMigrations);
    await db.query("CREATE TABLE accounts (id text PRIMARY KEY)");
  });

  afterEach(async () => {
    await Promise.all(relays.splice(0).map((relay) => relay.stop()));
    await db.query("DELETE FROM outbox");
  });

  afterAll(async () => {
    await db?.close();
  });

  it("stores the event in the same transaction as the business write, ready to publish", async () => {
    const event = await db.transaction(async (tx) => {
      await tx.query("INSERT INTO accounts VALUES ('alice')");
      return addToOutbox(
        tx,
        TOPIC,
        { schema: EchoRequestSchema, data: create(EchoRequestSchema, { text: "hi" }), subject: "alice" },
        SOURCE,
      );
    });
    const { rows } = await db.query(
      "SELECT topic, key, event_id, type, attributes, body, sent_at FROM outbox",
    );
    expect(rows).toEqual([
      {
        topic: TOPIC,
        key: "alice",
        event_id: event.id,
        type: "switchboard.echo.v1.EchoRequest",
        attributes: expect.objectContaining({
          id: event.id,
          source: SOURCE,
          subject: "alice",
          specversion: "1.0",
        }),
        body: expect.any(Uint8Array),
        sent_at: null,
      },
    ]);
    expect((await db.query("SELECT id FROM accounts WHERE id = 'alice'")).rowCount).toBe(1);
  });

  it("stores neither the business write nor the event when the transaction fails", async () => {
    await expect(
      db.transaction(async (tx) => {
        await tx.query("INSERT INTO accounts VALUES ('bob')");
        await addToOutbox(
          tx,
          TOPIC,
          { schema: EchoRequestSchema, data: create(EchoRequestSchema, { text: "hi" }), subject: "bob" },
          SOURCE,
        );
        throw new Error("validation failed after the write");
      }),
    ).rejects.toThrow("validation failed");
    expect((await db.query("SELECT id FROM accounts WHERE id = 'bob'")).rowCount).toBe(0);
    expect((await db.query("SELECT id FROM outbox")).rowCount).toBe(0);
  });

  it("publishes pending events in the order they were written and marks them sent", async () => {
    const events: CloudEvent[] = [];
    for (let i = 0; i < 5; i++) events.push(await addEvent(`event ${i}`, `user-${i % 2}`));
    const broker = new RecordingBroker();
    startRelay(broker);
    await eventually("the outbox is drained", async () => (await unsentOutboxRows(db)) === 0);

    expect(broker.publishedIds()).toEqual(events.map((event) => event.id));
    expect(broker.published.map(({ topic }) => topic)).toEqual(Array(5).fill(TOPIC));
    expect(broker.published.map(({ event }) => (event.data as { text: string }).text)).toEqual(
      events.map((_, i) => `event ${i}`),
    );
    for (const event of events) {
      expect(await row(event.id)).toEqual({ sent_at: expect.any(Date), attempts: 1, last_error: null });
    }
  });

  it("prunes the events sent longer ago than keepSentMs once drained, and never an unsent one however old", async () => {
    const [oldSent, recentSent, oldUnsent] = [
      await addEvent("sent 8 days ago"),
      await addEvent("sent just now"),
      await addEvent("never sent"),
    ];
    // As if they had been written (and two of them sent) long ago, by a relay that is gone.
    await db.query("UPDATE outbox SET created_at = now() - interval '8 days'");
    await db.query("UPDATE outbox SET sent_at = now() - interval '8 days' WHERE event_id = $1", [oldSent.id]);
    await db.query("UPDATE outbox SET sent_at = now() WHERE event_id = $1", [recentSent.id]);
    const broker = new RecordingBroker();
    const relay = startRelay(broker, { keepSentMs: 7 * 24 * 60 * 60 * 1000 });
    await eventually("the outbox is drained", async () => (await unsentOutboxRows(db)) === 0);
    await eventually("the old sent event is pruned", async () => (await row(oldSent.id)) === undefined);

    expect(broker.publishedIds()).toEqual([oldUnsent.id]); // the unsent one was published, not pruned
    expect(await row(recentSent.id)).toMatchObject({ sent_at: expect.any(Date) });
    expect(await row(oldUnsent.id)).toMatchObject({ sent_at: expect.any(Date) });
    expect(await relay.prune()).toBe(0); // nothing more is old enough
  });

  it("keeps a failing event pending with its error, and retries it with the same id, time, subject and extensions", async () => {
    const broker = new RecordingBroker();
    broker.failWhen = () => true;
    const event = await addEvent("retry me");
    startRelay(broker);
    await eventually("two attempts failed", async () => ((await row(event.id))?.attempts ?? 0) >= 2);

    expect(await row(event.id)).toMatchObject({ sent_at: null, last_error: "broker unavailable" });
    expect(broker.published).toEqual([]);
    expect(new Set(broker.attempts)).toEqual(new Set([event.id]));

    broker.failWhen = undefined;
    await eventually("the outbox is drained", async () => (await unsentOutboxRows(db)) === 0);
    expect(broker.published).toHaveLength(1);
    const sent = broker.published[0]!.event;
    expect(sent).toMatchObject({
      id: event.id,
      type: event.type,
      time: event.time,
      subject: "user-1",
      extensions: { traceparent: TRACEPARENT },
      data: expect.objectContaining({ text: "retry me" }),
    });
    expect(await row(event.id)).toMatchObject({ sent_at: expect.any(Date), last_error: null });
  });

  it("never lets a later event overtake a failing one: the batch stops and resumes at it", async () => {
    const events: CloudEvent[] = [];
    for (let i = 0; i < 5; i++) events.push(await addEvent(`event ${i}`));
    const ids = events.map((event) => event.id);
    let failuresLeft = 2;
    const broker = new RecordingBroker();
    broker.failWhen = (event) => event.id === ids[2] && failuresLeft-- > 0;
    startRelay(broker);
    await eventually("the outbox is drained", async () => (await unsentOutboxRows(db)) === 0);

    expect(broker.attempts).toEqual([ids[0], ids[1], ids[2], ids[2], ids[2], ids[3], ids[4]]);
    expect(broker.publishedIds()).toEqual(ids);
  });

  it("drains everything written while the broker was down, once each and in order, after it comes back", async () => {
    const broker = new RecordingBroker();
    broker.failWhen = () => true;
    startRelay(broker);
    const events: CloudEvent[] = [];
    for (let i = 0; i < 10; i++) events.push(await addEvent(`event ${i}`, `user-${i % 3}`));
    await eventually("publishing failed", async () => ((await row(events[0]!.id))?.attempts ?? 0) >= 1);
    expect(await unsentOutboxRows(db)).toBe(10);

    broker.failWhen = undefined;
    await eventually("the outbox is drained", async () => (await unsentOutboxRows(db)) === 0);
    expect(broker.publishedIds()).toEqual(events.map((event) => event.id));
  });

  it("publishes at once on wake() instead of waiting for the next poll", async () => {
    const broker = new RecordingBroker();
    const first = await addEvent("first");
    // A poll interval far longer than the test's patience: only wake() can get the second event out.
    const relay = startRelay(broker, { pollIntervalMs: 600_000 });
    await eventually("the first event is published", () => broker.published.length === 1);

    const second = await addEvent("second");
    relay.wake();
    await eventually("the second event is published", () => broker.published.length === 2);
    expect(broker.publishedIds()).toEqual([first.id, second.id]);
  });

  it("holds back an event whose type the registry does not know, logging an error, and everything after it", async () => {
    const { logger, lines } = memoryLogger();
    const broker = new RecordingBroker();
    const unknown = await db.transaction((tx) =>
      addToOutbox(
        tx,
        TOPIC,
        { schema: EchoResponseSchema, data: create(EchoResponseSchema, { text: "?" }) },
        SOURCE,
      ),
    );
    await addEvent("behind it");
    startRelay(broker, { logger });
    await eventually("an error is logged", () => lines.some((line) => line.level === 50));

    expect(lines.find((line) => line.level === 50)).toMatchObject({
      msg: "outbox event cannot be decoded; retrying",
      eventId: unknown.id,
    });
    expect(await row(unknown.id)).toMatchObject({
      sent_at: null,
      last_error: expect.stringMatching(/unknown event type/),
    });
    expect(broker.attempts).toEqual([]);
    expect(await unsentOutboxRows(db)).toBe(2);
  });
});

describe("outbox relays on PostgreSQL", () => {
  const schema = `outbox_${randomBytes(6).toString("hex")}`;
  const handles: Database[] = [];

  beforeAll(async () => {
    const { postgres: url } = await ensureBrokers("postgres");
    // Two handles are two connection pools, as two replicas of a service would have.
    handles.push(await openDatabase({ url, schema }), await openDatabase({ url, schema }));
    await handles[0]!.migrate("outbox", outboxMigrations);
  });

  afterAll(async () => {
    await handles[0]?.query(`DROP SCHEMA ${schema} CASCADE`);
    await Promise.all(handles.map((db) => db.close()));
  });

  it("two relays on one database take different rows at the same time and never publish a row twice (SKIP LOCKED)", async () => {
    const events = await handles[0]!.transaction(async (tx) => {
      const added: CloudEvent[] = [];
      for (let i = 0; i < 60; i++) {
        added.push(
          await addToOutbox(
            tx,
            TOPIC,
            {
              schema: EchoRequestSchema,
              data: create(EchoRequestSchema, { text: `${i}` }),
              subject: `user-${i % 4}`,
            },
            SOURCE,
          ),
        );
      }
      return added;
    });

    // Each relay's first publish waits (holding its batch's row locks) until the other relay is
    // also publishing: both hold a batch at once only if the second skipped the first's rows.
    let arrived = 0;
    let gaveUp = false;
    let overlapped = false;
    let openGate!: () => void;
    const gate = new Promise<void>((resolve) => {
      openGate = resolve;
    });
    // Without SKIP LOCKED the second relay would block on the first one's rows: give up waiting then.
    const fallback = setTimeout(() => {
      gaveUp = true;
      openGate();
    }, 10_000);
    const holdFirstPublish = (broker: RecordingBroker) => {
      broker.beforeConfirm = async () => {
        broker.beforeConfirm = undefined;
        if (++arrived === 2) {
          overlapped = !gaveUp;
          clearTimeout(fallback);
          openGate();
        }
        await gate;
      };
    };

    const brokers = [new RecordingBroker(), new RecordingBroker()];
    brokers.forEach(holdFirstPublish);
    const relays = handles.map(
      (db, i) =>
        new OutboxRelay({
          db,
          broker: brokers[i]!,
          registry,
          logger: memoryLogger().logger,
          batchSize: 10,
          pollIntervalMs: 20,
        }),
    );
    try {
      for (const relay of relays) relay.start();
      await eventually("the outbox is drained", async () => (await unsentOutboxRows(handles[0]!)) === 0);
    } finally {
      await Promise.all(relays.map((relay) => relay.stop()));
    }

    expect(overlapped).toBe(true);
    const order = new Map(events.map((event, i) => [event.id, i]));
    const all = brokers.flatMap((broker) => broker.publishedIds());
    expect(all).toHaveLength(60);
    expect(new Set(all)).toEqual(new Set(order.keys()));
    for (const broker of brokers) {
      expect(broker.published.length).toBeGreaterThan(0);
      const positions = broker.publishedIds().map((id) => order.get(id)!);
      expect(positions).toEqual([...positions].sort((a, b) => a - b));
    }
  });
});
