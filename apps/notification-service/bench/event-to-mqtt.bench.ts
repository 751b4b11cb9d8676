/**
 * Event-to-MQTT latency: a UserCreated published on Kafka until the welcome notification arrives
 * at a plain MQTT subscriber — through the consumer group, the inbox, the outbox relay, RabbitMQ,
 * the delivery worker and Mosquitto — next to the same hand-off through an in-process
 * EventEmitter, measured in the same run. One event in flight at a time; bounded in count and time.
 */
import { randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";
import { create, fromBinary } from "@bufbuild/protobuf";
import { USERS_TOPIC } from "@switchboard/messaging";
import { UserCreatedSchema } from "@switchboard/proto/switchboard/events/v1/events_pb.js";
import { NotificationSchema } from "@switchboard/proto/switchboard/notification/v1/notification_pb.js";
import { UserSchema } from "@switchboard/proto/switchboard/user/v1/user_pb.js";
import { brokerUrls } from "@switchboard/testing";
import mqtt from "mqtt";
import { startNotificationService } from "../test/harness.js";

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000);
const TIME_LIMIT_MS = 120_000;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
const summary = (samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return { n: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
};

async function emitterPath(): Promise<number[]> {
  const bus = new EventEmitter();
  const out = new EventEmitter();
  bus.on("event", (userId: string) => out.emit("notification", userId));
  const samples: number[] = [];
  for (let i = 0; i < EVENTS; i++) {
    const userId = randomUUID();
    const started = performance.now();
    await new Promise<void>((resolve) => {
      out.once("notification", () => resolve());
      bus.emit("event", userId);
    });
    samples.push(performance.now() - started);
  }
  return samples;
}

/** When this service's notification for `userId` arrived, or undefined once `deadline` passes. */
async function arrivalOf(
  service: Awaited<ReturnType<typeof startNotificationService>>,
  arrivals: Map<string, number>,
  userId: string,
  deadline: number,
  nextArrival: () => Promise<void>,
): Promise<number | undefined> {
  while (Date.now() < deadline) {
    // Another instance running beside the bench may notify the same user on the same topic: take
    // only the notification this service created (looked up after it arrived, outside the timing).
    const [ours] = await service.store.list(userId, 1);
    const arrivedAt = ours && arrivals.get(ours.id);
    if (arrivedAt !== undefined) return arrivedAt;
    await Promise.race([nextArrival(), new Promise((resolve) => setTimeout(resolve, 100))]);
  }
  return undefined;
}

async function brokerPath(): Promise<number[]> {
  const service = await startNotificationService();
  const subscriber = await mqtt.connectAsync(brokerUrls.mqtt, { protocolVersion: 5 });
  const arrivals = new Map<string, number>(); // notification id → arrival time
  let wake: (() => void) | undefined;
  subscriber.on("message", (_topic, payload) => {
    arrivals.set(fromBinary(NotificationSchema, payload).id, performance.now());
    wake?.();
  });
  const nextArrival = () =>
    new Promise<void>((resolve) => {
      wake = resolve;
    });
  await subscriber.subscribeAsync("switchboard/users/+/notifications", { qos: 1 });
  const samples: number[] = [];
  const deadline = Date.now() + TIME_LIMIT_MS;
  try {
    for (let i = 0; i < EVENTS + 20 && Date.now() < deadline; i++) {
      const userId = randomUUID();
      const user = create(UserSchema, { id: userId, name: "Bench", email: `${userId}@example.com` });
      const started = performance.now();
      await service.kafka.publish(USERS_TOPIC, {
        schema: UserCreatedSchema,
        data: { user },
        subject: userId,
      });
      const arrivedAt = await arrivalOf(service, arrivals, userId, deadline, nextArrival);
      if (arrivedAt === undefined) break; // out of time
      if (i >= 20) samples.push(arrivedAt - started); // the first 20 warm up the path
    }
  } finally {
    await subscriber.endAsync();
    await service.close();
  }
  return samples;
}

const emitter = summary(await emitterPath());
const brokers = summary(await brokerPath());
const ms = (value: number) => value.toFixed(3).padStart(10);
console.log(`\nevent → notification latency (ms), ${EVENTS} events, one in flight\n`);
console.log(`path                                      n        p50        p99`);
console.log(
  `in-process EventEmitter           ${String(emitter.n).padStart(8)} ${ms(emitter.p50)} ${ms(emitter.p99)}`,
);
console.log(
  `Kafka → RabbitMQ → MQTT           ${String(brokers.n).padStart(8)} ${ms(brokers.p50)} ${ms(brokers.p99)}`,
);
console.log(
  `ratio (brokers / emitter)                  ${(brokers.p50 / emitter.p50).toFixed(0).padStart(9)}x ${(brokers.p99 / emitter.p99).toFixed(0).padStart(9)}x`,
);
process.exit(0);
