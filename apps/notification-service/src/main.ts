/**
 * notification-service's composition root: Kafka in (user and image events), RabbitMQ for
 * delivery work, MQTT and gRPC streams out.
 */
import { hostname } from "node:os";
import { join } from "node:path";
import { openDatabase } from "@switchboard/database";
import {
  AmqpBroker,
  eventRegistry,
  Inbox,
  inboxMigrations,
  KafkaBroker,
  MqttBroker,
  NOTIFICATIONS_QUEUE,
  OutboxRelay,
  outboxMigrations,
  startPresence,
  subscribeWhenReachable,
} from "@switchboard/messaging";
import {
  clientTlsFromFiles,
  createLogger,
  JwksKeys,
  jwksOfUserService,
  loadConfigOrExit,
  onShutdownSignals,
  ServingStatus,
  serverTlsFromFiles,
  TokenVerifier,
} from "@switchboard/runtime";
import { buildApp, SOURCE } from "./app.js";
import { configSpec } from "./config.js";
import { startConsumers } from "./consumers/start-consumers.js";
import { CONSUMER } from "./consumers/user-and-image-events.js";
import { notificationMigrations } from "./store/migrations.js";
import { NotificationStore } from "./store/notification-store.js";

const config = loadConfigOrExit(configSpec);
const mqttAccount = { username: config.MQTT_USERNAME, password: config.MQTT_PASSWORD };
const logger = createLogger({
  name: "notification-service",
  level: config.LOG_LEVEL,
  pretty: config.PRETTY_LOGS,
});

const db = await openDatabase({
  ...(config.DATABASE_URL ? { url: config.DATABASE_URL } : { dataDir: join(config.DATA_DIR, "db") }),
  applicationName: "notification-service",
});
await db.migrate("notification-service", notificationMigrations);
await db.migrate("outbox", outboxMigrations);
await db.migrate("inbox", inboxMigrations);

const common = { source: SOURCE, registry: eventRegistry, logger };
const kafka = new KafkaBroker({ ...common, brokers: config.KAFKA_BROKERS.split(","), clientId: CONSUMER });
const amqp = new AmqpBroker({ ...common, url: config.AMQP_URL, deliveryLimit: config.DELIVERY_ATTEMPTS });
const mqtt = new MqttBroker({
  ...common,
  url: config.MQTT_URL,
  account: mqttAccount,
  clientId: `notification-service-${hostname()}-${process.pid}`, // pids repeat across containers
});

const store = new NotificationStore(db);
const relay = new OutboxRelay({ db, broker: amqp, logger, registry: eventRegistry });
relay.start();
// Tokens are verified against user-service's keys (AuthService.GetJwks), fetched when first
// needed and again when a token names a key not seen yet.
const verifier = new TokenVerifier({
  keys: new JwksKeys({
    fetchJwks: jwksOfUserService(
      config.USER_SERVICE_URL,
      config.USER_SERVICE_URL.startsWith("http:") ? undefined : clientTlsFromFiles(config),
    ),
  }),
});
const { server, hub, notifier, outbox } = buildApp({
  verifier,
  logger,
  store,
  outbox: relay,
  deliverQueue: NOTIFICATIONS_QUEUE,
  subscriberBuffer: config.SUBSCRIBER_BUFFER,
  readMaxBytes: config.MAX_MESSAGE_BYTES,
  tls: serverTlsFromFiles(config),
});

// Listen first: with Kafka or RabbitMQ down, Send/Subscribe/List still work (delivery jobs wait in
// the outbox), and the consumers start when both brokers answer.
await server.listen(config.PORT);
const consumers = subscribeWhenReachable({
  dependency: "kafka+rabbitmq",
  logger,
  subscribe: () =>
    startConsumers({
      store,
      hub,
      notifier,
      outbox,
      kafka,
      amqp,
      mqtt,
      deliveryAttempts: config.DELIVERY_ATTEMPTS,
    }),
  onReachable: (up) => {
    const status = up ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
    server.health.set("dependency.kafka", status);
    server.health.set("dependency.rabbitmq", status);
  },
});

// Handled event ids are remembered for INBOX_KEEP_MS (longer than Kafka can redeliver), then forgotten.
const inbox = new Inbox();
const pruneInbox = async () => {
  try {
    const forgotten = await inbox.prune(db);
    if (forgotten > 0) logger.info({ forgotten }, "inbox: pruned handled events");
  } catch (error) {
    logger.warn({ err: error }, "inbox: pruning failed; will try again later");
  }
};
void pruneInbox();
const inboxPruning = setInterval(pruneInbox, 60 * 60 * 1000);

const presence = startPresence({
  mqttUrl: config.MQTT_URL,
  account: mqttAccount,
  service: "notification-service",
  logger,
});

onShutdownSignals(async () => {
  clearInterval(inboxPruning);
  await presence.stop();
  await server.shutdown();
  await consumers.close();
  await relay.stop();
  await Promise.all([kafka.close(), amqp.close(), mqtt.close()]);
  await db.close();
});
