import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { create, fromBinary } from "@bufbuild/protobuf";
import { openDatabase } from "@switchboard/database";
import { type EchoRequest, EchoRequestSchema } from "@switchboard/proto/switchboard/echo/v1/echo_pb.js";
import {
  ensureBrokers,
  killBroker,
  memoryLogger,
  restartBroker,
  unsentOutboxRows,
} from "@switchboard/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { headerStrings } from "../src/kafka/kafka-headers.js";
import { addToOutbox, outboxMigrations } from "../src/outbox.js";
import { OutboxRelay } from "../src/outbox-relay.js";
import type { CloudEvent, Delivery } from "../src/port.js";
import {
  committedOffsets,
  echoRegistry,
  eventually,
  kafkaBroker,
  plainKafka,
  rawRecords,
  recordCount,
  uniqueName,
} from "./kafka-helpers.js";

const echo = (text: string, padding = new Uint8Array()) => create(EchoRequestSchema, { text, padding });
const textOf = (event: CloudEvent) => (event.data as EchoRequest).text;

describe("KafkaBroker against a real Kafka (KRaft)", () => {
  const { broker, lines } = kafkaBroker();

  beforeAll(async () => {
    await ensureBrokers("kafka");
  });

  afterAll(async () => {
    await broker.close();
  });

  it("delivers a published event to a subscriber with the same id, type, subject, time, data and extensions", async () => {
    const topic = uniqueName("kafka-round-trip");
    const received: [CloudEvent, Delivery][] = [];
    const subscription = await broker.subscribe(
      topic,
      async (event, delivery) => void received.push([event, delivery]),
      {
        group: uniqueName("round-trip"),
      },
    );
    const sent = await broker.publish(topic, {
      schema: EchoRequestSchema,
      data: echo("hello, kafka", new Uint8Array([0, 1, 2, 255])),
      subject: "user-42",
      extensions: { traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" },
    });
    await eventually(() => received.length === 1, "the event");
    await subscription.close();

    expect(sent.type).toBe("switchboard.echo.v1.EchoRequest");
    expect(received[0]).toEqual([sent, { topic, redeliveries: 0 }]);
  });

  it("consumes as the group named by its clientId when a subscription names none", async () => {
    const clientId = uniqueName("kafka-default-group");
    const { broker: named } = kafkaBroker({ clientId });
    const topic = uniqueName("kafka-default-group");
    const received: string[] = [];
    try {
      const subscription = await named.subscribe(topic, async (event) => void received.push(event.id));
      const sent = await named.publish(topic, {
        schema: EchoRequestSchema,
        data: echo("as myself"),
        subject: "k",
      });
      await eventually(() => received.length === 1, "the event");
      await eventually(
        async () => [...(await committedOffsets(clientId, topic)).values()].some((offset) => offset > 0),
        "an offset committed under the clientId",
      );
      await subscription.close();
      expect(received).toEqual([sent.id]);
    } finally {
      await named.close();
    }
  });

  it("writes the CloudEvents Kafka binding: ce_ headers, content-type, subject as key, protobuf value", async () => {
    const topic = uniqueName("kafka-binding");
    const sent = await broker.publish(topic, {
      schema: EchoRequestSchema,
      data: echo("on the wire"),
      subject: "user-7",
      extensions: { traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" },
    });
    const [record] = await rawRecords(topic, 1);

    expect(record?.key?.toString()).toBe("user-7");
    expect(headerStrings(record?.headers)).toEqual({
      ce_specversion: "1.0",
      ce_id: sent.id,
      ce_source: "/switchboard/messaging-tests",
      ce_type: "switchboard.echo.v1.EchoRequest",
      ce_time: sent.time.toISOString(),
      ce_subject: "user-7",
      ce_traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
      "content-type": "application/protobuf",
    });
    expect(fromBinary(EchoRequestSchema, record?.value ?? new Uint8Array()).text).toBe("on the wire");
  });

  it("splits the partitions between two members of one group, while another group gets every event", async () => {
    const topic = uniqueName("kafka-groups");
    const group = uniqueName("shared");
    const first: string[] = [];
    const second: string[] = [];
    const other: string[] = [];
    const subscriptions = [
      await broker.subscribe(topic, async (event) => void first.push(event.id), { group }),
      await broker.subscribe(topic, async (event) => void second.push(event.id), { group }),
      await broker.subscribe(topic, async (event) => void other.push(event.id), {
        group: uniqueName("other"),
      }),
    ];
    // 60 distinct keys: every one of the 3 partitions gets some.
    const sent = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        broker.publish(topic, { schema: EchoRequestSchema, data: echo(`event ${i}`), subject: `user-${i}` }),
      ),
    );
    const ids = sent.map((event) => event.id).sort();
    await eventually(
      () => first.length + second.length >= 60 && other.length >= 60,
      "60 events in each group",
    );
    await Promise.all(subscriptions.map((subscription) => subscription.close()));

    expect(first.length).toBeGreaterThan(0);
    expect(second.length).toBeGreaterThan(0);
    expect([...first, ...second].sort()).toEqual(ids);
    expect([...other].sort()).toEqual(ids);
  });

  it("keeps each key's events in publish order (50 events on 3 keys)", async () => {
    const topic = uniqueName("kafka-order");
    const seen = new Map<string, number[]>();
    let count = 0;
    const subscription = await broker.subscribe(
      topic,
      async (event) => {
        const [key, seq] = textOf(event).split(":");
        seen.set(key!, [...(seen.get(key!) ?? []), Number(seq)]);
        count++;
      },
      { group: uniqueName("order") },
    );
    const keys = ["alpha", "bravo", "charlie"];
    const expected = new Map(keys.map((key) => [key, [] as number[]]));
    // Published without waiting for each other: the adapter must keep the call order per key.
    await Promise.all(
      Array.from({ length: 50 }, (_, i) => {
        const key = keys[i % 3]!;
        expected.get(key)!.push(i);
        return broker.publish(topic, { schema: EchoRequestSchema, data: echo(`${key}:${i}`), subject: key });
      }),
    );
    await eventually(() => count >= 50, "50 events");
    await subscription.close();

    expect(seen).toEqual(expected);
  });

  it("redelivers an event whose handler fails twice, and commits its offset once the handler succeeds", async () => {
    const topic = uniqueName("kafka-retry");
    const group = uniqueName("retry");
    const redeliveries: number[] = [];
    let committed = false;
    const subscription = await broker.subscribe(
      topic,
      async (_event, delivery) => {
        redeliveries.push(delivery.redeliveries);
        // Nothing may be committed while the handler has not succeeded yet.
        const offsets = await committedOffsets(group, topic);
        committed ||= [...offsets.values()].some((offset) => offset >= 0);
        if (redeliveries.length <= 2) throw new Error(`transient failure ${redeliveries.length}`);
      },
      { group },
    );
    await broker.publish(topic, { schema: EchoRequestSchema, data: echo("flaky"), subject: "user-1" });
    await eventually(async () => {
      const offsets = await committedOffsets(group, topic);
      return [...offsets.values()].includes(1);
    }, "the offset to be committed");
    await subscription.close();

    expect(redeliveries).toEqual([0, 1, 2]);
    expect(committed).toBe(false);
    expect(
      lines.filter((line) => line.msg === "event handler failed; retrying" && line.topic === topic),
    ).toHaveLength(2);
  });

  it("does not commit a failing event: a subscriber restarted in the same group gets it again", async () => {
    const topic = uniqueName("kafka-uncommitted");
    const group = uniqueName("restart");
    const { broker: patient } = kafkaBroker({ handlerRetry: { attempts: 100, initialBackoffMs: 60_000 } });
    const failures: string[] = [];
    const failing = await patient.subscribe(
      topic,
      async (event) => {
        failures.push(event.id);
        throw new Error("the database is down");
      },
      { group },
    );
    const sent = await broker.publish(topic, {
      schema: EchoRequestSchema,
      data: echo("again"),
      subject: "user-2",
    });
    await eventually(() => failures.length === 1, "the first, failing delivery");
    // Closing abandons the pending retry (a minute away) and leaves the offset uncommitted.
    await failing.close();
    await patient.close();
    expect([...(await committedOffsets(group, topic)).values()].every((offset) => offset < 0)).toBe(true);

    const received: string[] = [];
    const restarted = await broker.subscribe(topic, async (event) => void received.push(event.id), { group });
    await eventually(() => received.length === 1, "the redelivery");
    await restarted.close();

    expect(failures).toEqual([sent.id]);
    expect(received).toEqual([sent.id]);
  });

  it("dead-letters an event whose handler keeps failing to <topic>.dlq with the error, and moves on", async () => {
    const topic = uniqueName("kafka-poison");
    const handled: string[] = [];
    const subscription = await broker.subscribe(
      topic,
      async (event) => {
        if (textOf(event) === "poison") throw new Error("cannot handle poison");
        handled.push(textOf(event));
      },
      { group: uniqueName("poison") },
    );
    // Same key: same partition, so "after" waits for "poison" to be dealt with.
    const poison = await broker.publish(topic, {
      schema: EchoRequestSchema,
      data: echo("poison"),
      subject: "k",
    });
    await broker.publish(topic, { schema: EchoRequestSchema, data: echo("after"), subject: "k" });
    await eventually(() => handled.length === 1, "the event after the poison one");
    await subscription.close();
    const [dead] = await rawRecords(`${topic}.dlq`, 1);
    const headers = headerStrings(dead?.headers);

    expect(handled).toEqual(["after"]);
    expect(headers.ce_id).toBe(poison.id);
    expect(headers.ce_errormessage).toBe("cannot handle poison");
    expect(headers["dlq-origin"]).toMatch(new RegExp(`^${topic.replaceAll(".", "\\.")}/\\d/0$`));
    expect(
      lines.some((line) => line.msg?.toString().startsWith("poison event") && line.topic === topic),
    ).toBe(true);
  });

  it("sends malformed records (no ce_ headers, unknown type, garbage value) straight to <topic>.dlq and keeps consuming", async () => {
    const topic = uniqueName("kafka-malformed");
    const handled: string[] = [];
    let calls = 0;
    const subscription = await broker.subscribe(
      topic,
      async (event) => {
        calls++;
        handled.push(textOf(event));
      },
      { group: uniqueName("malformed") },
    );
    const producer = plainKafka().producer();
    await producer.connect();
    const valid = {
      ce_specversion: "1.0",
      ce_id: "x-1",
      ce_source: "/raw",
      "content-type": "application/protobuf",
    };
    await producer.send({
      topic,
      messages: [
        { key: "k", value: "not an event at all" },
        {
          key: "k",
          value: Buffer.from([1, 2, 3]),
          headers: { ...valid, ce_type: "switchboard.nope.v1.Unknown" },
        },
        {
          key: "k",
          value: Buffer.from([0xff, 0xff, 0xff]),
          headers: { ...valid, ce_type: "switchboard.echo.v1.EchoRequest" },
        },
      ],
    });
    await producer.disconnect();
    await broker.publish(topic, { schema: EchoRequestSchema, data: echo("well-formed"), subject: "k" });
    await eventually(() => handled.length === 1, "the well-formed event");
    await subscription.close();
    const dead = await rawRecords(`${topic}.dlq`, 3);
    const reasons = dead.map((record) => headerStrings(record.headers).ce_errormessage);

    expect(handled).toEqual(["well-formed"]);
    expect(calls).toBe(1);
    expect(reasons).toEqual([
      'missing CloudEvents attribute "id"',
      'unknown event type "switchboard.nope.v1.Unknown"',
      expect.stringMatching(/^cannot decode switchboard\.echo\.v1\.EchoRequest/),
    ]);
    expect(dead.map((record) => record.value?.toString("hex"))).toEqual([
      Buffer.from("not an event at all").toString("hex"),
      "010203",
      "ffffff",
    ]);
    expect(await recordCount(`${topic}.dlq`)).toBe(3);
  });
});

// In the same file as the tests above, so that killing the broker never hits them mid-way.
describe("KafkaBroker when the Kafka broker is killed (kill -9) mid-stream and restarted", () => {
  beforeAll(async () => {
    await ensureBrokers("kafka");
  });

  it("loses no confirmed event, publishes retried by the caller only add duplicates, and a live subscriber catches up", async () => {
    const topic = uniqueName("kafka-crash");
    // Fail a publish fast while the broker is down; the loop below retries it, as the outbox relay would.
    // A short session: the live subscriber's pre-crash membership expires sooner.
    const { broker } = kafkaBroker({
      retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1_000 },
      sessionTimeoutMs: 10_000,
    });
    const total = 200;
    const ids = Array.from({ length: total }, (_, i) => `crash-${i}-${randomUUID()}`);
    const confirmed = new Set<string>();
    const figures = { published: 0, failedAttempts: 0, outageMs: 0 };
    // A subscriber that lives through the crash: its consumer must rejoin once Kafka is back.
    const live: string[] = [];
    const liveSubscription = await broker.subscribe(topic, async (event) => void live.push(event.id), {
      group: uniqueName("crash-live"),
    });
    const started = performance.now();
    let crash: Promise<void> | undefined;
    let restarted = 0;
    const killAndRestart = async () => {
      await killBroker("kafka");
      const killed = performance.now();
      await eventually(() => figures.failedAttempts > 0, "a publish to fail while Kafka is down");
      await restartBroker("kafka");
      restarted = performance.now();
      figures.outageMs = Math.round(restarted - killed);
    };
    let next = 0;
    const publisher = async () => {
      while (next < total) {
        const i = next++;
        if (i === 70) crash = killAndRestart();
        for (;;) {
          figures.published++;
          try {
            await broker.publish(topic, {
              id: ids[i],
              schema: EchoRequestSchema,
              data: echo(`${i}`),
              subject: `key-${i % 10}`,
            });
            confirmed.add(ids[i]!);
            break;
          } catch {
            figures.failedAttempts++;
            await sleep(250);
          }
        }
        await sleep(20);
      }
    };
    await Promise.all([publisher(), publisher()]);
    await crash;
    const publishMs = Math.round(performance.now() - started);

    await eventually(() => new Set(live).size >= total, "the live subscriber to catch up", 60_000);
    // Mostly the group coordinator waiting out the pre-crash member's session before rebalancing.
    const liveCatchUpMs = Math.round(performance.now() - restarted);
    await liveSubscription.close();
    const stored = await recordCount(topic);
    const delivered: string[] = [];
    const reader = await broker.subscribe(topic, async (event) => void delivered.push(event.id), {
      group: uniqueName("crash-reader"),
    });
    await eventually(() => delivered.length >= stored, `all ${stored} records`, 60_000);
    await reader.close();
    await broker.close();
    const unique = new Set(delivered);
    const lost = [...confirmed].filter((id) => !unique.has(id));
    const report = {
      ...figures,
      confirmed: confirmed.size,
      delivered: delivered.length,
      duplicatesRemoved: delivered.length - unique.size,
      lost: lost.length,
      liveDelivered: live.length,
      liveDuplicates: live.length - new Set(live).size,
      liveCatchUpMs,
      publishMs,
      totalMs: Math.round(performance.now() - started),
    };
    console.info(`kafka crash fault: ${JSON.stringify(report)}`);

    expect(figures.failedAttempts).toBeGreaterThan(0);
    expect(confirmed.size).toBe(total);
    expect(lost).toEqual([]);
    expect([...unique].every((id) => ids.includes(id))).toBe(true);
    expect(unique.size).toBe(total);
  }, 120_000);

  it("drains the outbox once Kafka is back: rows added while it is down are all sent and consumed", async () => {
    const topic = uniqueName("kafka-outbox");
    const source = "/switchboard/messaging-tests";
    const db = await openDatabase({});
    await db.migrate("outbox", outboxMigrations);
    const { broker } = kafkaBroker({ retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1_000 } });
    const { logger } = memoryLogger("info");
    const relay = new OutboxRelay({
      db,
      broker,
      logger,
      registry: echoRegistry,
      pollIntervalMs: 100,
      maxBackoffMs: 1_000,
    });
    relay.start();
    const first = await db.transaction((tx) =>
      addToOutbox(tx, topic, { schema: EchoRequestSchema, data: echo("before"), subject: "user-0" }, source),
    );
    relay.wake();
    await eventually(async () => (await unsentOutboxRows(db)) === 0, "the first row to be sent");

    await killBroker("kafka");
    const stored = [first];
    for (let i = 1; i <= 30; i++) {
      stored.push(
        await db.transaction((tx) =>
          addToOutbox(
            tx,
            topic,
            { schema: EchoRequestSchema, data: echo(`row ${i}`), subject: `user-${i % 5}` },
            source,
          ),
        ),
      );
      relay.wake();
    }
    await eventually(async () => {
      const { rows } = await db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM outbox WHERE last_error IS NOT NULL",
      );
      return (rows[0]?.n ?? 0) > 0;
    }, "a publish to fail while Kafka is down");
    const pendingWhileDown = await unsentOutboxRows(db);
    await restartBroker("kafka");
    await eventually(async () => (await unsentOutboxRows(db)) === 0, "the outbox to drain", 60_000);
    await relay.stop();

    const consumed = new Map<string, string>();
    const subscription = await broker.subscribe(
      topic,
      async (event) => void consumed.set(event.id, textOf(event)),
      { group: uniqueName("outbox-reader") },
    );
    await eventually(() => consumed.size >= stored.length, `${stored.length} events`);
    await subscription.close();
    await broker.close();
    const { rows } = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM outbox WHERE sent_at IS NULL",
    );
    await db.close();

    expect(pendingWhileDown).toBe(30);
    expect(rows[0]?.n).toBe(0);
    expect(consumed).toEqual(new Map(stored.map((event) => [event.id, textOf(event)])));
  }, 120_000);
});
