/**
 * soap-gateway's composition root: gRPC clients of the three services, the HTTP server on PORT —
 * HTTPS when TLS_CERT_FILE/TLS_KEY_FILE are set, requiring client certificates when TLS_CA_FILE is.
 */
import { AuthService } from "@switchboard/proto/switchboard/auth/v1/auth_service_pb.js";
import { ImageService } from "@switchboard/proto/switchboard/image/v1/image_service_pb.js";
import { NotificationService } from "@switchboard/proto/switchboard/notification/v1/notification_service_pb.js";
import { UserService } from "@switchboard/proto/switchboard/user/v1/user_service_pb.js";
import {
  clientTlsFromFiles,
  createLogger,
  createServiceClient,
  loadConfigOrExit,
  onShutdownSignals,
  serverTlsFromFiles,
} from "@switchboard/runtime";
import { buildApp } from "./app.js";
import { configSpec } from "./config.js";

const config = loadConfigOrExit(configSpec);
const logger = createLogger({ name: "soap-gateway", level: config.LOG_LEVEL, pretty: config.PRETTY_LOGS });

const client = <S extends Parameters<typeof createServiceClient>[0]>(service: S, baseUrl: string) =>
  createServiceClient(service, {
    baseUrl,
    timeoutMs: config.CALL_TIMEOUT_MS,
    // An UploadImage arrives whole; it leaves in 64 KiB chunks, but the answer may be large too.
    readMaxBytes: 8 * 1024 * 1024,
    tls: baseUrl.startsWith("https:") ? clientTlsFromFiles(config) : undefined,
  });

const tls = serverTlsFromFiles(config);
const { server } = buildApp({
  logger,
  ...(tls ? { tls } : {}),
  backends: {
    auth: client(AuthService, config.USER_SERVICE_URL),
    users: client(UserService, config.USER_SERVICE_URL),
    images: client(ImageService, config.IMAGE_SERVICE_URL),
    notifications: client(NotificationService, config.NOTIFICATION_SERVICE_URL),
  },
  maxBodyBytes: config.MAX_BODY_BYTES,
  ...(config.PUBLIC_URL ? { publicUrl: config.PUBLIC_URL.replace(/\/$/, "") } : {}),
});

const port = await server.listen(config.PORT);
const scheme = tls ? "https" : "http";
logger.info({ port, wsdl: `${scheme}://localhost:${port}/ws/UserService?wsdl` }, "soap-gateway listening");
onShutdownSignals(() => server.shutdown());
