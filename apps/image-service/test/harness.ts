import { randomBytes, randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { openDatabase } from "@switchboard/database";
import {
  AmqpBroker,
  eventRegistry,
  inboxMigrations,
  KafkaBroker,
  OutboxRelay,
  outboxMigrations,
  type Subscription,
  TopicRouter,
} from "@switchboard/messaging";
import {
  ImageService,
  type UploadImageRequest,
  UploadImageRequestSchema,
  UploadMetadataSchema,
} from "@switchboard/proto/switchboard/image/v1/image_service_pb.js";
import type { ServerTls } from "@switchboard/runtime";
import {
  brokerUrls,
  connectClient,
  ensureBrokers,
  filesUnder,
  memoryLogger,
  serveJwks,
  serveOnPort0,
  testTokens,
} from "@switchboard/testing";
import sharp from "sharp";
import { buildApp, SOURCE } from "../src/app.js";
import { configSpec } from "../src/config.js";
import { startUserEventConsumer } from "../src/consumers/user-events.js";
import type { UploadLimits } from "../src/domain/receive-image.js";
import { BlobStore } from "../src/storage/blob-store.js";
import { imageMigrations } from "../src/store/migrations.js";
import { startImageWorkers } from "../src/workers/image-workers.js";

export const KiB = 1024;
/** The owner of test uploads unless a test names another (owner ids are user-service UUIDs). */
export const OWNER = "0b0e0000-0000-4000-8000-000000000001";
export const MiB = 1024 * KiB;

/** The service's defaults: a queue's delivery limit is part of its declaration, so tests use the default. */
export const JOB_ATTEMPTS = configSpec.JOB_ATTEMPTS.parse(undefined);
export const DEFAULT_LIMITS: UploadLimits = {
  maxChunkBytes: configSpec.MAX_CHUNK_BYTES.parse(undefined),
  maxUploadBytes: configSpec.MAX_UPLOAD_BYTES.parse(undefined),
  maxPixels: configSpec.MAX_PIXELS.parse(undefined),
};

export interface Options {
  limits?: Partial<UploadLimits>;
  /** Image workers to start (default 0: jobs wait in the queue). */
  workers?: number;
  /**
   * Another instance to share with, as separate processes of one deployment do: the same
   * PostgreSQL schema, blob folder and job queue. Without it: in-memory PGlite, a fresh folder
   * and a queue of its own.
   */
  sharing?: Shared;
  /** Consume user events (UserDeleted) from Kafka, in a consumer group of its own reading from now on. */
  userEvents?: boolean;
  /** Serve TLS (mutual when it has a CA). */
  tls?: ServerTls;
}

/** What the instances of one deployment share. */
export interface Shared {
  databaseUrl?: string;
  schema?: string;
  dataDir: string;
  jobsQueue: string;
}

/** A fresh PostgreSQL schema, blob folder and queue for several instances to share. */
export async function sharedDeployment(): Promise<Shared> {
  await ensureBrokers("postgres");
  return {
    databaseUrl: brokerUrls.postgres,
    schema: `image_test_${randomUUID().slice(0, 8)}`,
    dataDir: await mkdtemp(join(tmpdir(), "image-service-shared-")),
    jobsQueue: `images.process.test-${randomUUID().slice(0, 8)}`,
  };
}

/**
 * image-service wired as main.ts does — real Kafka and RabbitMQ, an in-memory PGlite, a blob
 * store in a fresh temporary folder — on a free port. Its jobs go to a queue of its own, so no
 * other image-service (a `pnpm start` on this machine) takes them. It verifies tokens of its own
 * key (`tokens`: mint users', admins' and services' tokens with it); `client()` is an admin's.
 */
export async function startImageService(options: Options = {}) {
  await ensureBrokers("kafka", "rabbitmq");
  const { logger, lines } = memoryLogger("info");
  const shared = options.sharing;
  const dataDir = shared?.dataDir ?? (await mkdtemp(join(tmpdir(), "image-service-")));
  const db = await openDatabase(
    shared?.databaseUrl
      ? { url: shared.databaseUrl, ...(shared.schema ? { schema: shared.schema } : {}) }
      : {},
  );
  await db.migrate("image-service", imageMigrations);
  await db.migrate("outbox", outboxMigrations);
  await db.migrate("inbox", inboxMigrations);
  const blobs = await new BlobStore(dataDir).open();
  const common = { source: SOURCE, registry: eventRegistry, logger };
  const kafka = new KafkaBroker({ ...common, brokers: [brokerUrls.kafka], clientId: "image-test" });
  const amqp = new AmqpBroker({ ...common, url: brokerUrls.amqp, prefetch: 1, deliveryLimit: JOB_ATTEMPTS });
  const jobsQueue = shared?.jobsQueue ?? `images.process.test-${randomUUID().slice(0, 8)}`;
  const relay = new OutboxRelay({
    db,
    broker: new TopicRouter(kafka, { [jobsQueue]: amqp }),
    logger,
    registry: eventRegistry,
  });
  relay.start();
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const tokens = testTokens();
  const adminToken = await tokens.admin();
  const app = buildApp({
    logger,
    db,
    blobs,
    outbox: relay,
    limits,
    jobsQueue,
    verifier: tokens.verifier,
    ...(options.tls ? { tls: options.tls } : {}),
  });
  const workers: Subscription[] = [];
  /** Starts `count` more image workers on this service's queue. */
  const startWorkers = async (count: number) => {
    workers.push(
      ...(await startImageWorkers({
        library: app.library,
        amqp,
        logger,
        count,
        queue: jobsQueue,
      })),
    );
  };
  await startWorkers(options.workers ?? 0);
  if (options.userEvents) {
    workers.push(
      await startUserEventConsumer({
        library: app.library,
        db,
        logger,
        kafka,
        group: `image-test-${randomUUID()}`,
        fromBeginning: false,
      }),
    );
  }
  const served = await serveOnPort0(app.server);
  return {
    ...served,
    db,
    dataDir,
    blobs,
    kafka,
    amqp,
    jobsQueue,
    tokens,
    adminToken,
    /** A client sending `token` (an admin's unless given; "" for none) on every call. */
    client: (token = adminToken) =>
      connectClient(ImageService, served.baseUrl, "grpc", token ? { token } : {}),
    /** The jobs this instance's workers finished, as their log lines tell. */
    get jobsDone(): { worker: number; imageId: string }[] {
      return lines
        .filter((line) => line.msg === "image job done")
        .map((line) => ({ worker: Number(line.worker), imageId: String(line.imageId) }));
    },
    startWorkers,
    library: app.library,
    lines,
    /** Rows in the database: nothing may be half-written. */
    async rows() {
      const count = async (table: string) =>
        Number((await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]?.n);
      return {
        images: await count("images"),
        variants: await count("image_variants"),
        outbox: await count("outbox"),
      };
    },
    /** Everything stored: rows and files. */
    async stored() {
      return { ...(await this.rows()), ...(await files(dataDir)) };
    },
    /** Stops everything; drops the job queue too unless it is shared (then the last to close passes true). */
    async close(dropQueue = !shared) {
      await app.server.shutdown();
      for (const worker of workers) await worker.close();
      await relay.stop();
      if (dropQueue) await amqp.deleteQueue(jobsQueue);
      await Promise.all([kafka.close(), amqp.close()]);
      await db.close();
      await blobs.close();
      if (!shared) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export type ImageServiceUnderTest = Awaited<ReturnType<typeof startImageService>>;

/** A real image: `width`×`height` of random colours (incompressible, and different every time). */
export async function makeImage(
  format: "png" | "jpeg" | "webp" | "gif",
  width = 64,
  height = 48,
): Promise<Buffer> {
  const raw = randomBytes(width * height * 3);
  return sharp(raw, { raw: { width, height, channels: 3 } })
    .toFormat(format)
    .toBuffer();
}

/** An upload stream: the metadata message, then `bytes` in `chunkSize` pieces. */
export async function* uploadMessages(
  bytes: Uint8Array,
  metadata: Omit<MessageInitShape<typeof UploadMetadataSchema>, "$typeName"> = {},
  chunkSize = 64 * KiB,
): AsyncGenerator<UploadImageRequest> {
  yield create(UploadImageRequestSchema, {
    data: {
      case: "metadata",
      value: create(UploadMetadataSchema, {
        filename: "test.png",
        contentType: "image/png",
        ownerId: OWNER,
        sizeBytes: BigInt(bytes.length),
        ...metadata,
      }),
    },
  });
  for (let offset = 0; offset < bytes.length; offset += chunkSize) {
    yield create(UploadImageRequestSchema, {
      data: { case: "chunk", value: bytes.subarray(offset, offset + chunkSize) },
    });
  }
}

/** Polls `check` until it returns a value other than undefined (or fails the test after `timeoutMs`). */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Files in a blob store's folder: committed blobs, and temporary files in flight. */
export async function files(dataDir: string): Promise<{ temporary: number; blobs: number }> {
  return {
    temporary: await filesUnder(join(dataDir, "tmp")),
    blobs: await filesUnder(join(dataDir, "blobs")),
  };
}

/**
 * Auth for image-service started as its own process (main.ts): a tokens kit, and AuthService.GetJwks
 * served with its key in place of user-service. Add `env` to the process's settings and send
 * `adminToken`; `close` when done.
 */
export async function authForProcess() {
  const tokens = testTokens();
  const jwks = await serveJwks(tokens);
  return { tokens, adminToken: await tokens.admin(), env: { USER_SERVICE_URL: jwks.url }, close: jwks.close };
}
