/**
 * The real notification-service on a free port, wired as its main.ts does — an in-memory PGlite,
 * its outbox relayed to RabbitMQ, the delivery worker publishing to Mosquitto — through the
 * package's entry point only. Its own delivery queue and Kafka group: a service running beside the
 * tests takes none of its jobs. Closing drops the queue. It verifies tokens with `verifier` (the
 * system's: user-service's JWKS).
 */
import { randomUUID } from "node:crypto";
import { openDatabase } from "@switchboard/database";
import {
  AmqpBroker,
  eventRegistry,
  inboxMigrations,
  KafkaBroker,
  MqttBroker,
  Outbox,
  OutboxRelay,
  outboxMigrations,
} from "@switchboard/messaging";
import {
  buildApp,
  NotificationStore,
  notificationMigrations,
  SOURCE,
  startConsumers,
} from "@switchboard/notification-service";
import type { TokenVerifier } from "@switchboard/runtime";
import { brokerUrls, ensureBrokers, memoryLogger, serveOnPort0 } from "@switchboard/testing";

export async function startNotificationService(verifier: TokenVerifier) {
  await ensureBrokers("kafka", "rabbitmq", "mosquitto");
  const { logger, lines } = memoryLogger();
  const db = await openDatabase({});
  await db.migrate("notification-service", notificationMigrations);
  await db.migrate("outbox", outboxMigrations);
  await db.migrate("inbox", inboxMigrations);
  const tag = randomUUID().slice(0, 8);
  const common = { source: SOURCE, registry: eventRegistry, logger };
  const kafka = new KafkaBroker({ ...common, brokers: [brokerUrls.kafka], clientId: `soap-test-${tag}` });
  const amqp = new AmqpBroker({ ...common, url: brokerUrls.amqp, deliveryLimit: 5 });
  const mqtt = new MqttBroker({ ...common, url: brokerUrls.mqtt, clientId: `soap-test-${tag}` });
  const store = new NotificationStore(db);
  const relay = new OutboxRelay({ db, broker: amqp, logger, registry: eventRegistry });
  relay.start();
  const app = buildApp({
    logger,
    store,
    outbox: relay,
    deliverQueue: `test.soap.notifications.deliver.${tag}`,
    verifier,
  });
  const subscriptions = await startConsumers({
    store,
    hub: app.hub,
    notifier: app.notifier,
    outbox: new Outbox(db, { source: SOURCE, relay }),
    kafka,
    amqp,
    mqtt,
    deliveryAttempts: 5,
    group: `soap-test-${tag}`,
    fromBeginning: false,
  });
  const served = await serveOnPort0(app.server);
  return {
    baseUrl: served.baseUrl,
    /** gRPC calls the service has handled so far. */
    rpcs: () => lines.filter((line) => "rpc" in line).length,
    async close() {
      await app.server.shutdown();
      for (const subscription of subscriptions) await subscription.close();
      await relay.stop();
      await amqp.deleteQueue(app.notifier.deliverQueue);
      await Promise.all([kafka.close(), amqp.close(), mqtt.close()]);
      await db.close();
    },
  };
}
