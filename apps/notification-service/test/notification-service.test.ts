import { randomUUID } from "node:crypto";
import { create, fromBinary } from "@bufbuild/protobuf";
import { timestampNow } from "@bufbuild/protobuf/wkt";
import { Code } from "@connectrpc/connect";
import { type CloudEvent, IMAGES_TOPIC, notificationTopic, USERS_TOPIC } from "@switchboard/messaging";
import {
  ImageProcessedSchema,
  NotificationRequestedSchema,
  UserCreatedSchema,
  UserDeletedSchema,
} from "@switchboard/proto/switchboard/events/v1/events_pb.js";
import {
  DeliveryState,
  NotificationKind,
  NotificationSchema,
} from "@switchboard/proto/switchboard/notification/v1/notification_pb.js";
import type { NotificationService } from "@switchboard/proto/switchboard/notification/v1/notification_service_pb.js";
import { UserSchema } from "@switchboard/proto/switchboard/user/v1/user_pb.js";
import { brokerUrls, callError, type connectClient, until } from "@switchboard/testing";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SubscriberFellBehindError } from "../src/domain/errors.js";
import { DELIVERY_ATTEMPTS, startNotificationService } from "./harness.js";

let service: Awaited<ReturnType<typeof startNotificationService>>;
let client: ReturnType<typeof connectClient<typeof NotificationService>>;
beforeAll(async () => {
  service = await startNotificationService({ subscriberBuffer: 4 });
  client = service.client(service.adminToken, { timeoutMs: 60_000 });
}, 180_000);
afterAll(async () => {
  await service?.close();
});

/** A plain MQTT 5 client subscribed to a user's notification topic, collecting what arrives. */
async function mqttInbox(userId: string) {
  const plain = await mqtt.connectAsync(brokerUrls.mqtt, { protocolVersion: 5, reconnectPeriod: 200 });
  const received: mqtt.IPublishPacket[] = [];
  const waiters: (() => void)[] = [];
  plain.on("message", (_topic, _payload, packet) => {
    received.push(packet);
    for (const wake of waiters.splice(0)) wake();
  });
  await plain.subscribeAsync(notificationTopic(userId), { qos: 1 });
  return {
    received,
    async atLeast(count: number) {
      while (received.length < count) await new Promise<void>((resolve) => waiters.push(resolve));
      return received;
    },
    /** The packet carrying notification `id` (another instance beside the tests may publish to the topic too). */
    async carrying(id: string) {
      for (;;) {
        const packet = received.find((p) => fromBinary(NotificationSchema, p.payload as Buffer).id === id);
        if (packet) return packet;
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    },
    close: () => plain.endAsync(),
  };
}

function userCreated(userId: string) {
  const user = create(UserSchema, {
    id: userId,
    name: "Nora",
    email: `${userId}@example.com`,
    createTime: timestampNow(),
  });
  return { schema: UserCreatedSchema, data: { user }, subject: userId, id: randomUUID() };
}

describe("notification-service with real Kafka, RabbitMQ and Mosquitto", () => {
  it("turns a UserCreated on Kafka into a welcome on MQTT and on every open gRPC Subscribe stream", async () => {
    const userId = randomUUID();
    const inbox = await mqttInbox(userId);
    const controller = new AbortController();
    const streams = [0, 1].map(async () => {
      for await (const { notification } of client.subscribe({ userId }, { signal: controller.signal }))
        return notification;
    });
    await until(() => service.hub.subscriberCount(userId) >= 2, 20);
    const started = performance.now();
    await service.kafka.publish(USERS_TOPIC, userCreated(userId));
    const [first, second] = await Promise.all(streams);
    const packet = await inbox.carrying(first!.id);
    const latencyMs = Math.round(performance.now() - started);
    controller.abort();
    await inbox.close();
    // Both calls are gone: the server forgets them (no timing asserted, only that it happens).
    await until(() => service.hub.subscriberCount(userId) === 0);
    for (const notification of [first, second]) {
      expect(notification).toMatchObject({ userId, kind: NotificationKind.WELCOME, title: "Welcome, Nora!" });
    }
    // What a plain MQTT client sees: CloudEvents attributes as user properties, protobuf payload.
    expect(packet.properties?.userProperties).toMatchObject({
      type: "switchboard.notification.v1.Notification",
    });
    expect(packet.properties?.contentType).toBe("application/protobuf");
    const decoded = fromBinary(NotificationSchema, packet.payload as Buffer);
    expect(decoded).toMatchObject({ id: first?.id, userId, deliveryState: DeliveryState.DELIVERED });
    console.log(`UserCreated → gRPC Subscribe and MQTT: ${latencyMs} ms (observed, not asserted)`);
  });

  it("turns an ImageProcessed on Kafka into an 'image is ready' notification for the image's owner", async () => {
    const ownerId = randomUUID();
    const imageId = randomUUID();
    const event = await service.kafka.publish(IMAGES_TOPIC, {
      schema: ImageProcessedSchema,
      data: { imageId, ownerId, variant: { id: "variant-1", imageId } },
      subject: imageId,
    });
    const history = () => client.listNotifications({ userId: ownerId });
    await until(async () => (await history()).notifications.length > 0, 50);
    const { notifications } = await history();
    expect(notifications).toHaveLength(1);
    expect(notifications[0]).toMatchObject({
      kind: NotificationKind.IMAGE_READY,
      title: "Your image is ready",
      data: { image_id: imageId, variant_id: "variant-1" },
      sourceEventId: event.id,
    });
  });

  it("notifies once for an event delivered twice (dedup by event id)", async () => {
    const userId = randomUUID();
    const event = userCreated(userId);
    await service.kafka.publish(USERS_TOPIC, event);
    await service.kafka.publish(USERS_TOPIC, event); // the same event id again
    const marker = randomUUID();
    await service.kafka.publish(USERS_TOPIC, userCreated(marker)); // same partition order is not needed:
    // wait for the marker's own notification, then for the user's history to settle
    const notified = async (id: string) =>
      (await client.listNotifications({ userId: id })).notifications.length > 0;
    await until(() => notified(marker), 50);
    await until(() => notified(userId), 50);
    const inboxRows = await service.db.query<{ n: string }>(
      "SELECT count(*) AS n FROM inbox WHERE event_id = $1",
      [event.id],
    );
    expect(Number(inboxRows.rows[0]?.n)).toBe(1);
    expect((await client.listNotifications({ userId })).notifications).toHaveLength(1);
  });

  it("sends directly, pages the history newest first, and validates input", async () => {
    const userId = randomUUID();
    for (let i = 0; i < 5; i++) await client.sendNotification({ userId, title: `n${i}`, body: "hello" });
    const page1 = await client.listNotifications({ userId, pageSize: 2 });
    const page2 = await client.listNotifications({ userId, pageSize: 2, pageToken: page1.nextPageToken });
    const page3 = await client.listNotifications({ userId, pageSize: 2, pageToken: page2.nextPageToken });
    expect(
      [...page1.notifications, ...page2.notifications, ...page3.notifications].map((n) => n.title),
    ).toEqual(["n4", "n3", "n2", "n1", "n0"]);
    expect(page3.nextPageToken).toBe("");
    expect((await callError(client.sendNotification({ userId, title: "" }))).code).toBe(Code.InvalidArgument);
    expect((await callError(client.listNotifications({ userId, pageToken: "forged" }))).code).toBe(
      Code.InvalidArgument,
    );
  });

  it("never lets a slow subscriber hold up the others: it is ended (RESOURCE_EXHAUSTED at the edge)", async () => {
    const userId = randomUUID();
    const fast: string[] = [];
    const controller = new AbortController();
    const fastStream = (async () => {
      for await (const { notification } of client.subscribe({ userId }, { signal: controller.signal })) {
        fast.push(notification!.title);
        if (fast.length === 12) return;
      }
    })();
    const slow = service.hub.subscribe(userId, new AbortController().signal)[Symbol.asyncIterator](); // never read
    await until(() => service.hub.subscriberCount(userId) >= 2, 20);
    for (let i = 0; i < 12; i++) await client.sendNotification({ userId, title: `t${i}`, body: "" });
    await fastStream;
    controller.abort();
    expect(fast).toEqual(Array.from({ length: 12 }, (_, i) => `t${i}`));
    const drained: unknown[] = [];
    const error = await (async () => {
      for (;;) {
        const { done, value } = await slow.next();
        if (done) return undefined;
        drained.push(value);
      }
    })().catch((e: unknown) => e);
    expect(drained).toHaveLength(4); // its buffer
    expect(error).toBeInstanceOf(SubscriberFellBehindError); // handlers/status.ts maps it to RESOURCE_EXHAUSTED
  });

  it("drops a deleted user's streams", async () => {
    const userId = randomUUID();
    const stream = (async () => {
      for await (const _ of client.subscribe({ userId })) void _;
    })();
    await until(() => service.hub.subscriberCount(userId) >= 1, 20);
    await service.kafka.publish(USERS_TOPIC, {
      schema: UserDeletedSchema,
      data: { userId },
      subject: userId,
    });
    await stream; // ends cleanly
    expect(service.hub.subscriberCount(userId)).toBe(0);
  });

  it("dead-letters a poison delivery job after the delivery limit, where it can be inspected", async () => {
    const poison = await service.amqp.publish(service.deliverQueue, {
      schema: NotificationRequestedSchema,
      data: {}, // no notification: the worker can never deliver it
      subject: "poison",
    });
    let dead: CloudEvent[] = [];
    while (!dead.some((event) => event.id === poison.id)) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      dead = await service.amqp.deadLetters(service.deliverQueue, 1_000);
    }
    const failures = service.lines.filter(
      (l) => l.eventId === poison.id && l.msg === "handler failed; message requeued",
    );
    expect(failures.length).toBeGreaterThanOrEqual(DELIVERY_ATTEMPTS);
  }, 60_000);
});
