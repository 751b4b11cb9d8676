import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { createRegistry } from "@bufbuild/protobuf";
import { file_switchboard_echo_v1_echo } from "@switchboard/proto/switchboard/echo/v1/echo_pb.js";
import { brokerUrls, memoryLogger } from "@switchboard/testing";
import { Kafka, type KafkaMessage, logLevel } from "kafkajs";
import { KafkaBroker, type KafkaBrokerOptions } from "../src/kafka/kafka-broker.js";

/** Test resources for the Kafka adapter: a broker handle, a plain kafkajs client to look at the raw log, and polling. */

export const echoRegistry = createRegistry(file_switchboard_echo_v1_echo);

/** A topic or group name no other test run uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}.${randomUUID().slice(0, 8)}`;
}

/** A KafkaBroker on the real broker, logging into memory; fast handler retries. */
export function kafkaBroker(overrides: Partial<KafkaBrokerOptions> = {}) {
  const { logger, lines } = memoryLogger("info");
  const broker = new KafkaBroker({
    brokers: [brokerUrls.kafka],
    clientId: "messaging-kafka-test",
    source: "/switchboard/messaging-tests",
    registry: echoRegistry,
    logger,
    handlerRetry: { attempts: 3, initialBackoffMs: 50, maxBackoffMs: 200 },
    ...overrides,
  });
  return { broker, lines };
}

/** A kafkajs client with no adapter code in between, to read and write raw records. */
export function plainKafka(): Kafka {
  return new Kafka({
    brokers: [brokerUrls.kafka],
    clientId: "messaging-kafka-test-raw",
    logLevel: logLevel.NOTHING,
  });
}

/** Polls `check` until it holds; the deadline only stops a broken test from hanging. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** The first `count` records of `topic`, from the beginning, read by a plain consumer in a fresh group. */
export async function rawRecords(topic: string, count: number): Promise<KafkaMessage[]> {
  const consumer = plainKafka().consumer({ groupId: uniqueName("raw-reader"), maxWaitTimeInMs: 100 });
  const records: KafkaMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        records.push(message);
      },
    });
    await eventually(() => records.length >= count, `${count} records on ${topic}`);
  } finally {
    await consumer.disconnect();
  }
  return records;
}

/** How many records `topic` holds (sum over partitions of high − low watermark). */
export async function recordCount(topic: string): Promise<number> {
  const admin = plainKafka().admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, { high, low }) => sum + Number(high) - Number(low), 0);
  } finally {
    await admin.disconnect();
  }
}

/** The group's committed offset per partition of `topic` (-1: nothing committed). */
export async function committedOffsets(group: string, topic: string): Promise<Map<number, number>> {
  const admin = plainKafka().admin();
  await admin.connect();
  try {
    const [entry] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    return new Map((entry?.partitions ?? []).map(({ partition, offset }) => [partition, Number(offset)]));
  } finally {
    await admin.disconnect();
  }
}
