/**
 * image-service's composition root: gRPC on :50052, the blob store and database under DATA_DIR,
 * one outbox feeding Kafka (facts) and RabbitMQ (jobs), and the image workers.
 */
import { join } from "node:path";
import {
  AmqpBroker,
  eventRegistry,
  KafkaBroker,
  ServiceBase,
  subscribeWhenReachable,
  TopicRouter,
} from "@switchboard/messaging";
import {
  loadConfigOrExit,
  onShutdownSignals,
  ServingStatus,
  serverTlsFromFiles,
  serviceLogger,
  userServiceVerifier,
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
// libvips' operation cache would keep decoded images of past calls alive; one thread per
// pipeline, since the processing gate already runs one pipeline per core.
sharp.cache(false);
sharp.concurrency(1);
const logger = serviceLogger("image-service", config);

const base = await ServiceBase.open({
  service: "image-service",
  logger,
  settings: config,
  migrations: imageMigrations,
});
const { db } = base;
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
// One outbox feeds both: facts to Kafka, jobs to their RabbitMQ queue.
const relay = base.startRelay(new TopicRouter(kafka, { [config.JOBS_QUEUE]: amqp }));

const { server, library } = buildApp({
  verifier: userServiceVerifier(config.USER_SERVICE_URL, config),
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
void base.pruneInboxHourly();
base.announcePresence();
// Blobs no row references (a failed commit's, a deleted image's) are swept every hour.
void base.every(60 * 60 * 1000, "blob sweep", () => sweepOrphanBlobs({ db, blobs, logger }));

onShutdownSignals(() =>
  base.stop({
    drain: async () => {
      await server.shutdown();
      await workers.close();
      await userEvents.close();
    },
    release: async () => {
      await Promise.all([kafka.close(), amqp.close()]);
      await blobs.close();
    },
  }),
);
