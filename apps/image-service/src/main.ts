/**
 * image-service's composition root: gRPC on :50052, the blob store and database under DATA_DIR,
 * one outbox feeding Kafka (facts) and RabbitMQ (jobs), and the image workers.
 */
import { join } from "node:path";
import { openDatabase } from "@switchboard/database";
import {
  AmqpBroker,
  eventRegistry,
  Inbox,
  inboxMigrations,
  KafkaBroker,
  OutboxRelay,
  outboxMigrations,
  startPresence,
  subscribeWhenReachable,
  TopicRouter,
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
import sharp from "sharp";
import { buildApp, SOURCE } from "./app.js";
import { configSpec } from "./config.js";
import { startUserEventConsumer } from "./consumers/user-events.js";
import { BlobStore } from "./storage/blob-store.js";
import { sweepOrphanBlobs } from "./storage/blob-sweeper.js";
import { imageMigrations } from "./store/migrations.js";
import { startImageWorkers } from "./workers/image-workers.js";

const config = loadConfigOrExit(configSpec);
const mqttAccount = { username: config.MQTT_USERNAME, password: config.MQTT_PASSWORD };
// libvips' operation cache would keep decoded images of past calls alive; one thread per
// pipeline, since the processing gate already runs one pipeline per core.
sharp.cache(false);
sharp.concurrency(1);
const logger = createLogger({ name: "image-service", level: config.LOG_LEVEL, pretty: config.PRETTY_LOGS });

const db = await openDatabase({
  ...(config.DATABASE_URL ? { url: config.DATABASE_URL } : { dataDir: join(config.DATA_DIR, "db") }),
  applicationName: "image-service",
});
await db.migrate("image-service", imageMigrations);
await db.migrate("outbox", outboxMigrations);
await db.migrate("inbox", inboxMigrations);
const blobs = await new BlobStore(join(config.DATA_DIR, "blobs")).open();

const common = { source: SOURCE, registry: eventRegistry, logger };
const kafka = new KafkaBroker({
  ...common,
  brokers: config.KAFKA_BROKERS.split(","),
  clientId: "image-service",
});
// prefetch 1: a worker holds one job at a time, so jobs spread over every worker of every process.
const amqp = new AmqpBroker({
  ...common,
  url: config.AMQP_URL,
  prefetch: 1,
  deliveryLimit: config.JOB_ATTEMPTS,
});
const relay = new OutboxRelay({
  db,
  broker: new TopicRouter(kafka, { [config.JOBS_QUEUE]: amqp }),
  logger,
  registry: eventRegistry,
});
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
const { server, library } = buildApp({
  verifier,
  logger,
  db,
  blobs,
  outbox: relay,
  limits: {
    maxChunkBytes: config.MAX_CHUNK_BYTES,
    maxUploadBytes: config.MAX_UPLOAD_BYTES,
    maxPixels: config.MAX_PIXELS,
  },
  jobsQueue: config.JOBS_QUEUE,
  processing: { memoryMiB: config.PROCESS_MEMORY_MIB, maxWaiting: config.PROCESS_QUEUE },
  tls: serverTlsFromFiles(config),
});
// Listen first: with RabbitMQ down, uploads, downloads and processing still work (jobs wait in
// the outbox), and the workers start when it comes back.
await server.listen(config.PORT);
const workers = subscribeWhenReachable({
  dependency: "rabbitmq",
  logger,
  subscribe: () =>
    startImageWorkers({ library, amqp, logger, count: config.WORKERS, queue: config.JOBS_QUEUE }),
  onReachable: (up) =>
    server.health.set("dependency.rabbitmq", up ? ServingStatus.SERVING : ServingStatus.NOT_SERVING),
});
// UserDeleted from Kafka deletes that user's images.
const userEvents = subscribeWhenReachable({
  dependency: "kafka",
  logger,
  subscribe: () => startUserEventConsumer({ library, db, logger, kafka }),
  onReachable: (up) =>
    server.health.set("dependency.kafka", up ? ServingStatus.SERVING : ServingStatus.NOT_SERVING),
});
// Handled event ids are remembered for INBOX_KEEP_MS (longer than Kafka can redeliver), then forgotten.
const pruneInbox = () =>
  new Inbox()
    .prune(db)
    .catch((error: unknown) => logger.warn({ err: error }, "inbox: pruning failed; will try again later"));
const inboxPruning = setInterval(pruneInbox, 60 * 60 * 1000);
const presence = startPresence({
  mqttUrl: config.MQTT_URL,
  account: mqttAccount,
  service: "image-service",
  logger,
});

// Blobs no row references (a failed commit's, a deleted image's) are swept every hour.
const sweep = () =>
  sweepOrphanBlobs({ db, blobs, logger }).catch((error: unknown) =>
    logger.warn({ err: error }, "blob sweep failed; will try again"),
  );
const sweeping = setInterval(sweep, 60 * 60 * 1000);

onShutdownSignals(async () => {
  clearInterval(sweeping);
  clearInterval(inboxPruning);
  await presence.stop();
  await server.shutdown();
  await workers.close();
  await userEvents.close();
  await relay.stop();
  await Promise.all([kafka.close(), amqp.close()]);
  await db.close();
  await blobs.close();
});
