import { type ConfigOf, setting, tlsSettings } from "@switchboard/runtime";

export const configSpec = {
  PORT: setting.port(8080),
  HOST: setting.string("0.0.0.0"),
  LOG_LEVEL: setting.oneOf(["trace", "debug", "info", "warn", "error"], "info"),
  PRETTY_LOGS: setting.boolean(false),
  USER_SERVICE_URL: setting.url("http://127.0.0.1:50051"),
  IMAGE_SERVICE_URL: setting.url("http://127.0.0.1:50052"),
  NOTIFICATION_SERVICE_URL: setting.url("http://127.0.0.1:50053"),
  /** Deadline sent with every backend call (uploads and downloads get UPLOAD_TIMEOUT_MS). */
  CALL_TIMEOUT_MS: setting.integer({ default: 5_000, min: 100, max: 600_000 }),
  UPLOAD_TIMEOUT_MS: setting.integer({ default: 300_000, min: 1_000, max: 3_600_000 }),
  /** Largest JSON request body. */
  JSON_BODY_LIMIT: setting.integer({ default: 1024 * 1024, min: 1024, max: 64 * 1024 * 1024 }),
  /** Largest upload, multipart or raw (image-service has its own limit too). */
  MAX_UPLOAD_BYTES: setting.integer({ default: 200 * 1024 * 1024, min: 1024, max: 4 * 1024 * 1024 * 1024 }),
  /** Requests per client (IP) per minute. */
  RATE_LIMIT_PER_MINUTE: setting.integer({ default: 6_000, min: 1, max: 10_000_000 }),
  /** Comma-separated origins allowed by CORS ("*" for any); empty: none. */
  CORS_ORIGINS: setting.string(""),
  /** Concurrent server-sent-event streams per client (IP). */
  SSE_MAX_PER_CLIENT: setting.integer({ default: 8, min: 1, max: 10_000 }),
  SSE_HEARTBEAT_MS: setting.integer({ default: 15_000, min: 100, max: 300_000 }),
  ...tlsSettings,
};

export type Config = ConfigOf<typeof configSpec>;
