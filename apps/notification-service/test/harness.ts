import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { openDatabase } from "@switchboard/database";
import {
  AmqpBroker,
  eventRegistry,
  IMAGES_TOPIC,
  inboxMigrations,
  KafkaBroker,
  MqttBroker,
  OutboxRelay,
  outboxMigrations,
  USERS_TOPIC,
} from "@switchboard/messaging";
import {
  ImageProcessedSchema,
  UserCreatedSchema,
} from "@switchboard/proto/switchboard/events/v1/events_pb.js";
import { NotificationService } from "@switchboard/proto/switchboard/notification/v1/notification_service_pb.js";
import { UserSchema } from "@switchboard/proto/switchboard/user/v1/user_pb.js";
import {
  brokerUrls,
  connectClient,
  ensureBrokers,
  memoryLogger,
  serveJwks,
  serveOnPort0,
  testTokens,
} from "@switchboard/testing";
import { buildApp, SOURCE } from "../src/app.js";
import { configSpec } from "../src/config.js";
import { startConsumers } from "../src/consumers/start-consumers.js";
import { notificationMigrations } from "../src/store/migrations.js";
import { NotificationStore } from "../src/store/notification-store.js";

/**
 * The queue's delivery limit is part of its declaration: every process declaring
 * `notifications.deliver` must use the same one, so tests use the service's default.
 */
export const DELIVERY_ATTEMPTS = configSpec.DELIVERY_ATTEMPTS.parse(undefined);

/**
 * A new consumer group starts at the end of each partition only once it first fetches from it:
 * publish warm-up events on both topics until both have come through, so that no test event
 * lands before that point.
 */
async function readingFromNow(kafka: KafkaBroker, store: NotificationStore): Promise<void> {
  const [newUser, imageOwner] = [randomUUID(), randomUUID()];
  const arrived = async (userId: string) => (await store.list(userId, 1)).length > 0;
  while (!(await arrived(newUser)) || !(await arrived(imageOwner))) {
    const user = create(UserSchema, { id: newUser, name: "Warm-up", email: `${newUser}@example.com` });
    await kafka.publish(USERS_TOPIC, {
      schema: UserCreatedSchema,
      data: { user },
      subject: newUser,
    });
    await kafka.publish(IMAGES_TOPIC, {
      schema: ImageProcessedSchema,
      data: { imageId: newUser, ownerId: imageOwner },
      subject: newUser,
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/**
 * Auth for notification-service started as its own process (main.ts): a tokens kit, and
 * AuthService.GetJwks served with its key in place of user-service. Add `env` to the process's
 * settings and send `adminToken`; `close` when done.
 */
export async function authForProcess() {
  const tokens = testTokens();
  const jwks = await serveJwks(tokens);
  return { tokens, adminToken: await tokens.admin(), env: { USER_SERVICE_URL: jwks.url }, close: jwks.close };
}

/**
 * notification-service wired exactly as main.ts does — real Kafka, RabbitMQ and Mosquitto, an
 * in-memory PGlite — on a free port, with its own Kafka consumer group reading from now on (once it resolves), and
 * its own delivery queue (a service running beside the tests must not take its jobs). It verifies
 * tokens of its own key (`tokens`); `client()` is an admin's.
 */
export async function startNotificationService(
  options: {
    subscriberBuffer?: number;
    deliveryAttempts?: number;
    /** Another Mosquitto than the shared one (a test's own, which it may kill). */
    mqttUrl?: string;
  } = {},
) {
  await ensureBrokers("kafka", "rabbitmq", "mosquitto");
  const { logger, lines } = memoryLogger("info");
  const db = await openDatabase({});
  await db.migrate("notification-service", notificationMigrations);
  await db.migrate("outbox", outboxMigrations);
  await db.migrate("inbox", inboxMigrations);
  const common = { source: SOURCE, registry: eventRegistry, logger };
  const kafka = new KafkaBroker({ ...common, brokers: [brokerUrls.kafka], clientId: "notification-test" });
  const amqp = new AmqpBroker({
    ...common,
    url: brokerUrls.amqp,
    deliveryLimit: options.deliveryAttempts ?? DELIVERY_ATTEMPTS,
  });
  const mqtt = new MqttBroker({
    ...common,
    url: options.mqttUrl ?? brokerUrls.mqtt,
    // Its own account, as main.ts logs in (the dev one infra/ writes): it may publish notifications.
    account: { username: "notification-service", password: "notification-service-dev-password" },
    clientId: `notification-test-${randomUUID().slice(0, 8)}`,
  });
  const store = new NotificationStore(db);
  const tokens = testTokens();
  const adminToken = await tokens.admin();
  const relay = new OutboxRelay({ db, broker: amqp, logger, registry: eventRegistry });
  relay.start();
  const app = buildApp({
    logger,
    store,
    outbox: relay,
    deliverQueue: `test.notifications.deliver.${randomUUID().slice(0, 8)}`,
    verifier: tokens.verifier,
    ...(options.subscriberBuffer ? { subscriberBuffer: options.subscriberBuffer } : {}),
  });
  const subscriptions = await startConsumers({
    store,
    hub: app.hub,
    notifier: app.notifier,
    outbox: app.outbox,
    kafka,
    amqp,
    mqtt,
    deliveryAttempts: options.deliveryAttempts ?? DELIVERY_ATTEMPTS,
    group: `notification-test-${randomUUID()}`,
    fromBeginning: false,
  });
  await readingFromNow(kafka, store);
  const served = await serveOnPort0(app.server);
  return {
    ...served,
    db,
    store,
    hub: app.hub,
    deliverQueue: app.notifier.deliverQueue,
    kafka,
    amqp,
    lines,
    tokens,
    adminToken,
    /** A client sending `token` (an admin's unless given; "" for none) on every call. */
    client: (token = adminToken, options: { timeoutMs?: number } = {}) =>
      connectClient(NotificationService, served.baseUrl, "grpc", { ...options, ...(token ? { token } : {}) }),
    async close() {
      await app.server.shutdown();
      for (const subscription of subscriptions) await subscription.close();
      await relay.stop();
      await amqp.deleteQueue(app.notifier.deliverQueue); // and its dead letters
      await Promise.all([kafka.close(), amqp.close(), mqtt.close()]);
      await db.close();
    },
  };
}

export type NotificationServiceUnderTest = Awaited<ReturnType<typeof startNotificationService>>;
