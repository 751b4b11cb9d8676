import {
  brokerSettings,
  type ConfigOf,
  DEFAULT_MESSAGE_BYTES,
  mqttAccountSettings,
  serviceSettings,
  setting,
  tlsSettings,
} from "@switchboard/runtime";

export const configSpec = {
  ...serviceSettings({ port: 50051, dataDir: ".data/user-service" }),
  KAFKA_BROKERS: brokerSettings.KAFKA_BROKERS,
  MQTT_URL: brokerSettings.MQTT_URL,
  ...mqttAccountSettings("user-service"),
  /** Largest request message accepted. */
  MAX_MESSAGE_BYTES: setting.integer({ default: DEFAULT_MESSAGE_BYTES, min: 1024, max: 64 * 1024 * 1024 }),
  IMAGE_SERVICE_URL: setting.url("http://127.0.0.1:50052"),
  ...tlsSettings,
};

export type Config = ConfigOf<typeof configSpec>;
