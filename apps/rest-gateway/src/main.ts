/**
 * rest-gateway's composition root: the only file that reads the environment and opens a socket.
 * HTTPS when TLS_CERT_FILE/TLS_KEY_FILE are set, requiring client certificates when TLS_CA_FILE is;
 * https:// backends are called over mutual TLS with the same CA and the gateway's client certificate.
 */
import {
  clientTlsFromFiles,
  createLogger,
  loadConfigOrExit,
  onShutdownSignals,
  serverTlsFromFiles,
} from "@switchboard/runtime";
import { build } from "./app.js";
import { createBackends } from "./backends.js";
import { configSpec } from "./config.js";

const config = loadConfigOrExit(configSpec);
const logger = createLogger({ name: "rest-gateway", level: config.LOG_LEVEL, pretty: config.PRETTY_LOGS });
const backends = createBackends(
  {
    user: config.USER_SERVICE_URL,
    image: config.IMAGE_SERVICE_URL,
    notification: config.NOTIFICATION_SERVICE_URL,
  },
  { timeoutMs: config.CALL_TIMEOUT_MS, tls: clientTlsFromFiles(config) },
);
const tls = serverTlsFromFiles(config);
const { app } = await build({
  logger,
  backends,
  ...(tls ? { tls } : {}),
  options: {
    callTimeoutMs: config.CALL_TIMEOUT_MS,
    uploadTimeoutMs: config.UPLOAD_TIMEOUT_MS,
    jsonBodyLimit: config.JSON_BODY_LIMIT,
    maxUploadBytes: config.MAX_UPLOAD_BYTES,
    rateLimitPerMinute: config.RATE_LIMIT_PER_MINUTE,
    corsOrigins: config.CORS_ORIGINS.split(",")
      .map((o) => o.trim())
      .filter(Boolean),
    sseMaxPerClient: config.SSE_MAX_PER_CLIENT,
    sseHeartbeatMs: config.SSE_HEARTBEAT_MS,
  },
});
await app.listen({ port: config.PORT, host: config.HOST });
onShutdownSignals(() => app.close());
