import { randomUUID } from "node:crypto";
import { fromBinary } from "@bufbuild/protobuf";
import { EchoRequestSchema } from "@switchboard/proto/switchboard/echo/v1/echo_pb.js";
import { brokerUrls, ensureBrokers, memoryLogger } from "@switchboard/testing";
import amqp from "amqplib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AmqpBroker } from "../src/amqp/amqp-broker.js";
import type { CloudEvent } from "../src/port.js";
import { echoRegistry } from "./kafka-helpers.js";

const brokers: AmqpBroker[] = [];
function amqpBroker(deliveryLimit = 3) {
  const broker = new AmqpBroker({
    url: brokerUrls.amqp,
    source: "/switchboard/messaging-tests",
    registry: echoRegistry,
    logger: memoryLogger("error").logger,
    deliveryLimit,
    reconnect: { initialDelayMs: 100, maxDelayMs: 1_000 },
  });
  brokers.push(broker);
  return broker;
}
const queueName = (prefix: string) => `test.${prefix}.${randomUUID().slice(0, 8)}`;
const echo = (text: string) => ({ schema: EchoRequestSchema, data: { text }, subject: text });

/** Resolves when `predicate` holds, checking after each delivery. */
function until(predicate: () => boolean, check: { notify?: () => void }): Promise<void> {
  return new Promise((resolve) => {
    check.notify = () => predicate() && resolve();
    if (predicate()) resolve();
  });
}

/** The next message of `queue`, read by a plain amqplib client (waits until there is one). */
async function getOne(queue: string): Promise<amqp.GetMessage> {
  const connection = await amqp.connect(brokerUrls.amqp);
  try {
    const channel = await connection.createChannel();
    for (;;) {
      const message = await channel.get(queue, { noAck: true });
      if (message) return message;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    await connection.close();
  }
}

beforeAll(async () => {
  await ensureBrokers("rabbitmq");
});
afterAll(async () => {
  await Promise.all(brokers.map((broker) => broker.close()));
});

describe("AmqpBroker against a real RabbitMQ", () => {
  it("round-trips a CloudEvent, carried as AMQP application properties with protobuf data", async () => {
    const queue = queueName("roundtrip");
    const broker = amqpBroker();
    const sent = await broker.publish(queue, {
      ...echo("hola"),
      extensions: { traceparent: "00-abc-def-01" },
    });
    const received = await new Promise<CloudEvent>((resolve) => {
      void broker.subscribe(queue, async (event) => resolve(event));
    });
    expect(received).toMatchObject({ id: sent.id, type: "switchboard.echo.v1.EchoRequest", subject: "hola" });
    expect(received.time.toISOString()).toBe(sent.time.toISOString());
    expect(received.extensions).toEqual({ traceparent: "00-abc-def-01" });
    expect(received.data).toMatchObject({ text: "hola" });
  });

  it("carries the CloudEvents AMQP binding: application properties, content type, protobuf body", async () => {
    const queue = queueName("raw");
    await amqpBroker().publish(queue, echo("raw"));
    const raw = await getOne(queue);
    expect(raw.properties.contentType).toBe("application/protobuf");
    expect(raw.properties.headers?.["cloudEvents:type"]).toBe("switchboard.echo.v1.EchoRequest");
    expect(raw.properties.headers?.["cloudEvents:specversion"]).toBe("1.0");
    expect(raw.properties.headers?.["cloudEvents:subject"]).toBe("raw");
    expect(fromBinary(EchoRequestSchema, raw.content).text).toBe("raw");
  });

  it("gives each message to exactly one of several competing consumers", async () => {
    const queue = queueName("competing");
    const publisher = amqpBroker();
    const seen = new Map<string, string[]>([
      ["a", []],
      ["b", []],
    ]);
    const check: { notify?: () => void } = {};
    const total = () => [...seen.values()].reduce((n, ids) => n + ids.length, 0);
    for (const name of ["a", "b"]) {
      await amqpBroker().subscribe(queue, async (event) => {
        seen.get(name)!.push(event.id);
        await new Promise((r) => setTimeout(r, 5));
        check.notify?.();
      });
    }
    const published = [];
    for (let i = 0; i < 40; i++) published.push((await publisher.publish(queue, echo(`job ${i}`))).id);
    await until(() => total() >= 40, check);
    const all = [...seen.get("a")!, ...seen.get("b")!];
    expect(all.sort()).toEqual([...published].sort());
    expect(seen.get("a")!.length).toBeGreaterThan(0);
    expect(seen.get("b")!.length).toBeGreaterThan(0);
  });

  it("dead-letters a message whose handler keeps failing after the delivery limit, and replays it", async () => {
    const queue = queueName("poison");
    const broker = amqpBroker(3);
    const attempts: number[] = [];
    const subscription = await broker.subscribe(queue, async (_event, delivery) => {
      attempts.push(delivery.redeliveries);
      throw new Error("cannot handle this");
    });
    const sent = await broker.publish(queue, echo("poison"));
    let dead: CloudEvent[] = [];
    while (dead.length === 0) {
      dead = await broker.deadLetters(queue);
      if (dead.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    await subscription.close();
    expect(dead.map((event) => event.id)).toEqual([sent.id]);
    // Delivered, then redelivered up to the limit; the count is visible to the handler.
    expect(attempts.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...attempts)).toBeGreaterThanOrEqual(2);

    const fixed: string[] = [];
    const check: { notify?: () => void } = {};
    await broker.subscribe(queue, async (event) => {
      fixed.push(event.id);
      check.notify?.();
    });
    expect(await broker.replayDeadLetters(queue)).toBe(1);
    await until(() => fixed.length === 1, check);
    expect(fixed).toEqual([sent.id]);
    expect(await broker.deadLetters(queue)).toEqual([]);
  });

  it("deletes a temporary queue with its dead-letter queue", async () => {
    const queue = queueName("temporary");
    const broker = amqpBroker();
    await broker.publish(queue, echo("left behind"));
    await broker.deleteQueue(queue);
    const connection = await amqp.connect(brokerUrls.amqp);
    try {
      for (const name of [queue, `${queue}.dead`]) {
        const channel = await connection.createChannel();
        channel.on("error", () => undefined); // checkQueue on a missing queue closes the channel
        await expect(channel.checkQueue(name)).rejects.toThrow(/NOT_FOUND/);
      }
    } finally {
      await connection.close();
    }
  });

  it("dead-letters a malformed message at once and keeps consuming", async () => {
    const queue = queueName("malformed");
    const broker = amqpBroker();
    const handled: string[] = [];
    const check: { notify?: () => void } = {};
    await broker.subscribe(queue, async (event) => {
      handled.push(event.id);
      check.notify?.();
    });
    const connection = await amqp.connect(brokerUrls.amqp);
    const channel = await connection.createConfirmChannel();
    channel.sendToQueue(queue, Buffer.from("not a cloud event"), { headers: { hello: "world" } });
    await channel.waitForConfirms();
    await connection.close();
    const good = await broker.publish(queue, echo("after garbage"));
    await until(() => handled.length === 1, check);
    expect(handled).toEqual([good.id]);
    expect((await getOne(`${queue}.dead`)).content.toString()).toBe("not a cloud event");
  });
});
