import { availableParallelism } from "node:os";
import { IMAGE_JOBS_QUEUE } from "@switchboard/messaging";
import {
  brokerSettings,
  type ConfigOf,
  mqttAccountSettings,
  serviceSettings,
  setting,
  tlsSettings,
} from "@switchboard/runtime";

const KiB = 1024;
const MiB = 1024 * KiB;

export const configSpec = {
  /** DATA_DIR holds the blob store too. */
  ...serviceSettings({ port: 50052, dataDir: ".data/image-service" }),
  ...brokerSettings,
  ...mqttAccountSettings("image-service"),
  /** Largest image bytes in one upload message. */
  MAX_CHUNK_BYTES: setting.integer({ default: 1 * MiB, min: 1 * KiB, max: 16 * MiB }),
  /** Largest whole upload. */
  MAX_UPLOAD_BYTES: setting.integer({ default: 20 * MiB, min: 1 * KiB, max: 4096 * MiB }),
  /** Largest image in pixels (width × height): a defence against decompression bombs. */
  MAX_PIXELS: setting.integer({ default: 50_000_000, min: 1, max: 268_402_689 }),
  /**
   * MiB of decoded pixels image processing may hold at once. Most steps stream in strips; a
   * quarter turn holds its whole input. At most one render per core runs within it.
   */
  PROCESS_MEMORY_MIB: setting.integer({ default: 256, min: 16, max: 1_048_576 }),
  /** ProcessImage calls that may wait for a slot; one more answers RESOURCE_EXHAUSTED at once. */
  PROCESS_QUEUE: setting.integer({ default: 2 * availableParallelism(), min: 0, max: 10_000 }),
  /** RabbitMQ work queue of thumbnail jobs (dead letters: `<queue>.dead`). */
  JOBS_QUEUE: setting.string(IMAGE_JOBS_QUEUE),
  /** Image workers in this process (competing consumers of `images.process`). */
  WORKERS: setting.integer({ default: 2, min: 0, max: 64 }),
  /** Attempts at one job before it is dead-lettered. */
  JOB_ATTEMPTS: setting.integer({ default: 3, min: 1, max: 100 }),
  /** user-service, whose AuthService.GetJwks gives the keys tokens are verified with (https: TLS with TLS_CA_FILE). */
  USER_SERVICE_URL: setting.url("http://127.0.0.1:50051"),
  ...tlsSettings,
};

export type Config = ConfigOf<typeof configSpec>;
