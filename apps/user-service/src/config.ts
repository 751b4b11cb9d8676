import {
  brokerSettings,
  type ConfigOf,
  DEFAULT_MESSAGE_BYTES,
  mqttAccountSettings,
  type Setting,
  serviceSettings,
  setting,
  tlsSettings,
} from "@switchboard/runtime";
import { parseServiceClients } from "./domain/service-clients.js";

/** The dev admin's password: fine on a laptop, and warned about at every start. */
export const DEFAULT_ADMIN_PASSWORD = "switchboard-admin";

/** SERVICE_CLIENTS: `name=secret,...` (empty: no service may ask for a token with a secret). */
const serviceClients: Setting<Map<string, string>> = {
  parse: (raw) => parseServiceClients(raw ?? ""),
};

/** A password setting: 8 to 128 characters, as CreateUserRequest.password. */
function password(fallback: string): Setting<string> {
  return {
    parse(raw) {
      const value = raw === undefined || raw === "" ? fallback : raw;
      if (value.length < 8 || value.length > 128) throw new Error("must be 8 to 128 characters");
      return value;
    },
  };
}

export const configSpec = {
  ...serviceSettings({ port: 50051, dataDir: ".data/user-service" }),
  KAFKA_BROKERS: brokerSettings.KAFKA_BROKERS,
  MQTT_URL: brokerSettings.MQTT_URL,
  ...mqttAccountSettings("user-service"),
  /** Largest request message accepted. */
  MAX_MESSAGE_BYTES: setting.integer({ default: DEFAULT_MESSAGE_BYTES, min: 1024, max: 64 * 1024 * 1024 }),
  IMAGE_SERVICE_URL: setting.url("http://127.0.0.1:50052"),
  /** The first admin, made at start when there is no admin. */
  ADMIN_EMAIL: setting.string("admin@example.com"),
  ADMIN_PASSWORD: password(DEFAULT_ADMIN_PASSWORD),
  ACCESS_TOKEN_TTL_SECONDS: setting.integer({ default: 900, min: 30, max: 24 * 3600 }),
  REFRESH_TOKEN_TTL_SECONDS: setting.integer({ default: 14 * 24 * 3600, min: 60, max: 365 * 24 * 3600 }),
  /** How long one signing key signs before the next one takes over. */
  SIGNING_KEY_ROTATION_SECONDS: setting.integer({ default: 24 * 3600, min: 60, max: 365 * 24 * 3600 }),
  SERVICE_CLIENTS: serviceClients,
  /** Failed logins allowed per account and per client address in one window, before RESOURCE_EXHAUSTED. */
  LOGIN_MAX_FAILURES_PER_ACCOUNT: setting.integer({ default: 5, min: 1, max: 10_000 }),
  LOGIN_MAX_FAILURES_PER_CLIENT: setting.integer({ default: 100, min: 1, max: 1_000_000 }),
  LOGIN_FAILURE_WINDOW_SECONDS: setting.integer({ default: 900, min: 1, max: 24 * 3600 }),
  /** The seed contract user.UsuarioServicio: "open" (legacy, no tokens: anyone may call it) or "off". */
  SEED_CONTRACT: setting.oneOf(["open", "off"], "open"),
  ...tlsSettings,
};

export type Config = ConfigOf<typeof configSpec>;
