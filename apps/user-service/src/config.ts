import {
  brokerSettings,
  type ConfigOf,
  DEFAULT_MESSAGE_BYTES,
  setting,
  tlsSettings,
} from "@switchboard/runtime";

export const configSpec = {
  PORT: setting.port(50051),
  LOG_LEVEL: setting.oneOf(["trace", "debug", "info", "warn", "error"], "info"),
  PRETTY_LOGS: setting.boolean(false),
  /** Where the embedded database lives when DATABASE_URL is not set. */
  DATA_DIR: setting.string(".data/user-service"),
  /** postgres://… to use PostgreSQL instead of the embedded PGlite. */
  DATABASE_URL: setting.optionalUrl(),
  KAFKA_BROKERS: brokerSettings.KAFKA_BROKERS,
  MQTT_URL: brokerSettings.MQTT_URL,
  /** Largest request message accepted. */
  MAX_MESSAGE_BYTES: setting.integer({ default: DEFAULT_MESSAGE_BYTES, min: 1024, max: 64 * 1024 * 1024 }),
  IMAGE_SERVICE_URL: setting.url("http://127.0.0.1:50052"),
  ...tlsSettings,
};

export type Config = ConfigOf<typeof configSpec>;
