/**
 * user-service's composition root: the only file that reads the environment and opens sockets,
 * the database and the broker.
 */
import { hostname } from "node:os";
import {
  DynamicSecurity,
  eventRegistry,
  KafkaBroker,
  PersonAccounts,
  ServiceBase,
} from "@switchboard/messaging";
import { ImageService } from "@switchboard/proto/switchboard/image/v1/image_service_pb.js";
import {
  clientTlsFromFiles,
  createServiceClient,
  loadConfigOrExit,
  onShutdownSignals,
  serverTlsFromFiles,
  serviceLogger,
} from "@switchboard/runtime";
import { buildApp } from "./app.js";
import { configSpec, DEFAULT_ADMIN_PASSWORD } from "./config.js";
import { removeMqttAccountsOfDeletedUsers } from "./domain/mqtt-credentials.js";
import { GATEWAYS } from "./handlers/login-client.js";
import { mqttCredentialsHandler } from "./handlers/mqtt-credentials.js";
import { userMigrations } from "./store/migrations.js";
import { UserStore } from "./store/user-store.js";

const config = loadConfigOrExit(configSpec);
const mqttAccount = { username: config.MQTT_USERNAME, password: config.MQTT_PASSWORD };
const logger = serviceLogger("user-service", config);

const base = await ServiceBase.open({
  service: "user-service",
  logger,
  settings: config,
  migrations: userMigrations,
});
const { db } = base;

const kafka = new KafkaBroker({
  brokers: config.KAFKA_BROKERS.split(","),
  clientId: "user-service",
  source: "/switchboard/user-service",
  registry: eventRegistry,
  logger,
});
const relay = base.startRelay(kafka);

// image-service, for the seed contract: over TLS (with our certificate, for mTLS) when its URL is https,
// or a dns:/// name (round robin over a headless Service's pods) and a CA is set.
// Its calls carry user-service's own service token, minted in process.
const images = (token: () => Promise<string>) =>
  createServiceClient(ImageService, {
    baseUrl: config.IMAGE_SERVICE_URL,
    tls: config.IMAGE_SERVICE_URL.startsWith("http:") ? undefined : clientTlsFromFiles(config),
    token,
  });
// People's MQTT accounts, managed through the broker's dynamic-security plugin as user-service.
const dynsec = new DynamicSecurity({
  url: config.MQTT_URL,
  account: mqttAccount,
  clientId: `user-service-accounts-${hostname()}-${process.pid}`, // pids repeat across containers
});
const mqttAccounts = new PersonAccounts(dynsec);
const store = new UserStore(db);
const app = buildApp({
  logger,
  store,
  mqttCredentials: mqttCredentialsHandler({
    accounts: mqttAccounts,
    userExists: async (userId) => (await store.get(db, userId)) !== undefined,
  }),
  outbox: relay,
  images,
  seedContract: config.SEED_CONTRACT,
  userCache: { ttlMs: config.USER_CACHE_TTL_MS, maxEntries: config.USER_CACHE_MAX_ENTRIES },
  trustedProxies: {
    addresses: new Set(
      config.LOGIN_TRUSTED_PROXIES.split(",")
        .map((a) => a.trim())
        .filter(Boolean),
    ),
    services: GATEWAYS,
  },
  readMaxBytes: config.MAX_MESSAGE_BYTES,
  tls: serverTlsFromFiles(config),
  identity: {
    accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlSeconds: config.REFRESH_TOKEN_TTL_SECONDS,
    signingKeyRotationSeconds: config.SIGNING_KEY_ROTATION_SECONDS,
    serviceClients: config.SERVICE_CLIENTS,
    loginLimits: {
      perAccount: config.LOGIN_MAX_FAILURES_PER_ACCOUNT,
      perClient: config.LOGIN_MAX_FAILURES_PER_CLIENT,
      windowMs: config.LOGIN_FAILURE_WINDOW_SECONDS * 1000,
    },
  },
});
const firstAdmin = await app.ensureFirstAdmin({ email: config.ADMIN_EMAIL, password: config.ADMIN_PASSWORD });
if (firstAdmin === "created") logger.info({ email: config.ADMIN_EMAIL }, "first admin created");
if (config.ADMIN_PASSWORD === DEFAULT_ADMIN_PASSWORD) {
  logger.warn(
    { email: config.ADMIN_EMAIL },
    "ADMIN_PASSWORD is the default dev password: set your own anywhere but a laptop",
  );
}
// The first signing key exists before the first login asks for it.
await app.keys.signingKey();
await base.every(
  3600_000,
  "pruning refresh tokens",
  async () => {
    const count = await app.pruneRefreshTokens();
    if (count > 0) logger.info({ count }, "expired refresh tokens forgotten");
  },
  { now: true },
);
const { server } = app;
const stopRemovingMqttAccounts = removeMqttAccountsOfDeletedUsers(app.changes, mqttAccounts, logger);
await server.listen(config.PORT);
base.announcePresence();

onShutdownSignals(() =>
  base.stop({
    drain: async () => {
      await server.shutdown();
      stopRemovingMqttAccounts();
      await dynsec.close();
    },
    release: () => kafka.close(),
  }),
);
