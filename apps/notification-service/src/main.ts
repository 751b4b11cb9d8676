/**
 * notification-service's composition root: Kafka in (user and image events), RabbitMQ for
 * delivery work, MQTT and gRPC streams out.
 */
import { hostname } from "node:os";
import {
  AmqpBroker,
  eventRegistry,
  KafkaBroker,
  MqttBroker,
  NOTIFICATIONS_QUEUE,
  ServiceBase,
  subscribeWhenReachable,
} from "@switchboard/messaging";
import {
  loadConfigOrExit,
  onShutdownSignals,
  ServingStatus,
  serverTlsFromFiles,
  serviceLogger,
  userServiceVerifier,
} from "@switchboard/runtime";
import { buildApp, SOURCE } from "./app.js";
import { configSpec } from "./config.js";
import { startConsumers } from "./consumers/start-consumers.js";
import { CONSUMER } from "./consumers/user-and-image-events.js";
import { notificationMigrations } from "./store/migrations.js";
import { NotificationStore } from "./store/notification-store.js";

const config = loadConfigOrExit(configSpec);
const mqttAccount = { username: config.MQTT_USERNAME, password: config.MQTT_PASSWORD };
const logger = serviceLogger("notification-service", config);

const base = await ServiceBase.open({
  service: "notification-service",
  logger,
  settings: config,
  migrations: notificationMigrations,
});

const common = { source: SOURCE, registry: eventRegistry, logger };
const kafka = new KafkaBroker({ ...common, brokers: config.KAFKA_BROKERS.split(","), clientId: CONSUMER });
const amqp = new AmqpBroker({ ...common, url: config.AMQP_URL, deliveryLimit: config.DELIVERY_ATTEMPTS });
const mqtt = new MqttBroker({
  ...common,
  url: config.MQTT_URL,
  account: mqttAccount,
  clientId: `notification-service-${hostname()}-${process.pid}`, // pids repeat across containers
});

const store = new NotificationStore(base.db);
// The outbox carries delivery jobs to RabbitMQ.
const relay = base.startRelay(amqp);
const { server, hub, notifier, outbox } = buildApp({
  verifier: userServiceVerifier(config.USER_SERVICE_URL, config),
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
void base.pruneInboxHourly();
base.announcePresence();

onShutdownSignals(() =>
  base.stop({
    drain: async () => {
      await server.shutdown();
      await consumers.close();
    },
    release: async () => void (await Promise.all([kafka.close(), amqp.close(), mqtt.close()])),
  }),
);
