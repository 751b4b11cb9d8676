import {
  brokerSettings,
  type ConfigOf,
  mqttAccountSettings,
  serviceSettings,
  setting,
  tlsSettings,
} from "@switchboard/runtime";

export const configSpec = {
  ...serviceSettings({ port: 50053, dataDir: ".data/notification-service" }),
  ...brokerSettings,
  ...mqttAccountSettings("notification-service"),
  /** Notifications a Subscribe stream may have queued unread before it is ended. */
  SUBSCRIBER_BUFFER: setting.integer({ default: 256, min: 1, max: 100_000 }),
  /** Delivery attempts before a notification is dead-lettered. */
  DELIVERY_ATTEMPTS: setting.integer({ default: 5, min: 1, max: 100 }),
  MAX_MESSAGE_BYTES: setting.integer({ default: 1024 * 1024, min: 1024, max: 64 * 1024 * 1024 }),
  /** user-service, whose AuthService.GetJwks gives the keys tokens are verified with (https: TLS with TLS_CA_FILE). */
  USER_SERVICE_URL: setting.url("http://127.0.0.1:50051"),
  ...tlsSettings,
};

export type Config = ConfigOf<typeof configSpec>;
