import { availableParallelism } from "node:os";
import { type ConfigOf, setting, tlsSettings } from "@switchboard/runtime";

const KiB = 1024;
const MiB = 1024 * KiB;

export const configSpec = {
  PORT: setting.port(50052),
  LOG_LEVEL: setting.oneOf(["trace", "debug", "info", "warn", "error"], "info"),
  PRETTY_LOGS: setting.boolean(false),
  /** The embedded database (unless DATABASE_URL) and the blob store live here. */
  DATA_DIR: setting.string(".data/image-service"),
  DATABASE_URL: setting.optionalUrl(),
  KAFKA_BROKERS: setting.string("127.0.0.1:9092"),
  AMQP_URL: setting.url("amqp://guest:guest@127.0.0.1:5672"),
  MQTT_URL: setting.url("mqtt://127.0.0.1:1883"),
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
  JOBS_QUEUE: setting.string("images.process"),
  /** Image workers in this process (competing consumers of `images.process`). */
  WORKERS: setting.integer({ default: 2, min: 0, max: 64 }),
  /** Attempts at one job before it is dead-lettered. */
  JOB_ATTEMPTS: setting.integer({ default: 3, min: 1, max: 100 }),
  ...tlsSettings,
};

export type Config = ConfigOf<typeof configSpec>;
