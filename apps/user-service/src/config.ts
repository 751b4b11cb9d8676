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
import { DEFAULT_USER_CACHE } from "./domain/user-cache.js";

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

/** An email setting: one @, something on each side, no spaces (the contract checks the rest at sign-up). */
function email(fallback: string): Setting<string> {
  return {
    parse(raw) {
      const value = raw?.trim() || fallback;
      if (!/^[^\s@]+@[^\s@]+$/.test(value) || value.length > 254)
        throw new Error(`must be an email (got "${value}")`);
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
  ADMIN_EMAIL: email("admin@example.com"),
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
  /**
   * Peer addresses (comma-separated) whose `x-forwarded-for` names the client for the login
   * throttle: the gateways' when they run beside user-service. Under mutual TLS the gateways'
   * certificates are trusted too. Anyone else's header is ignored.
   */
  LOGIN_TRUSTED_PROXIES: setting.string("127.0.0.1,::1,::ffff:127.0.0.1"),
  /** The seed contract user.UsuarioServicio: "open" (legacy, no tokens: anyone may call it) or "off". */
  SEED_CONTRACT: setting.oneOf(["open", "off"], "open"),
  /**
   * GetUser's read-through cache: how long a user read from the database may be served (the most
   * another instance's write can go unseen here; this instance's own writes are never served
   * stale), 0 for no cache; and how many users it keeps (least recently read go first).
   */
  USER_CACHE_TTL_MS: setting.integer({ default: DEFAULT_USER_CACHE.ttlMs, min: 0, max: 60_000 }),
  USER_CACHE_MAX_ENTRIES: setting.integer({
    default: DEFAULT_USER_CACHE.maxEntries,
    min: 0,
    max: 10_000_000,
  }),
  ...tlsSettings,
};

export type Config = ConfigOf<typeof configSpec>;
