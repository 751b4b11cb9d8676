export { AsyncQueue } from "./async-queue.js";
export { ConfigError, type ConfigOf, loadConfig, loadConfigOrExit, type Setting, setting } from "./config.js";
export { peerKey, traceIdKey } from "./context.js";
export {
  type ClientTls,
  createServiceClient,
  retryUnavailable,
  type ServiceClientOptions,
} from "./grpc-client.js";
export { GrpcJsServer } from "./grpc-js/grpc-js-server.js";
export { GrpcServer, type GrpcServerOptions, MiB, type ServerTls } from "./grpc-server.js";
export { HealthRegistry, ServingStatus } from "./health.js";
export { type FieldViolation, fieldViolations, invalidArgument } from "./invalid-argument.js";
export { createLogger, type Logger, type LoggerOptions } from "./logger.js";
export { loggingInterceptor } from "./logging-interceptor.js";
export { decodePageCursor, encodePageCursor, type PageCursor } from "./page-cursor.js";
export { ReflectionIndex } from "./reflection.js";
export { onShutdownSignals } from "./shutdown-signals.js";
export {
  clientTlsFromFiles,
  serverTlsFromFiles,
  type TlsFiles,
  tlsSettings,
} from "./tls-files.js";
export { validationInterceptor, violationsOf } from "./validation-interceptor.js";
