export { AsyncQueue } from "./async-queue.js";
export { authInterceptor } from "./auth/auth-interceptor.js";
export type { AuthOptions } from "./auth/auth-options.js";
export { bearerToken } from "./auth/bearer-token.js";
export { type Caller, callerKey, callerOf, isAdmin } from "./auth/caller.js";
export { type JsonWebKey, JwksKeys, type JwksKeysOptions } from "./auth/jwks-keys.js";
export { certifiedServiceKey, serviceNameOf } from "./auth/service-peer.js";
export { TOKEN_AUDIENCE, TOKEN_ISSUER, TokenVerifier } from "./auth/token-verifier.js";
export { jwksOfUserService, userServiceVerifier } from "./auth/user-service-jwks.js";
export type { CryptoKey, VerificationKeys } from "./auth/verification-keys.js";
export { brokerSettings, mqttAccountSettings } from "./broker-settings.js";
export { ConcurrencyGate, type ConcurrencyGateOptions } from "./concurrency-gate.js";
export { ConfigError, type ConfigOf, loadConfig, loadConfigOrExit, type Setting, setting } from "./config.js";
export { peerKey, traceIdKey } from "./context.js";
export { InvalidInputError, invalidInput } from "./domain-errors.js";
export {
  type ClientTls,
  createServiceClient,
  createServiceTransport,
  isUnavailable,
  retryUnavailable,
  type ServiceClientOptions,
} from "./grpc-client.js";
export { GrpcJsServer } from "./grpc-js/grpc-js-server.js";
export {
  DEFAULT_MESSAGE_BYTES,
  GrpcServer,
  type GrpcServerOptions,
  MiB,
  type ServerTls,
} from "./grpc-server.js";
export { HealthRegistry, ServingStatus } from "./health.js";
export {
  describeViolations,
  type FieldViolation,
  fieldViolations,
  invalidArgument,
} from "./invalid-argument.js";
export { createLogger, type Logger, type LoggerOptions, serviceLogger } from "./logger.js";
export { loggingInterceptor } from "./logging-interceptor.js";
export { MessageGarbage, messageGarbage } from "./message-garbage.js";
export { decodePageCursor, encodePageCursor, type PageCursor } from "./page-cursor.js";
export { ReflectionIndex } from "./reflection.js";
export { parseDnsTarget, type ResolveAddresses, roundRobinTransport } from "./round-robin-transport.js";
export { DEFAULT_SERVER_LIMITS, type ServerLimits } from "./server-limits.js";
export { serviceSettings } from "./service-settings.js";
export { onShutdownSignals } from "./shutdown-signals.js";
export { type ErrorCodes, statusOf, streamWithStatus, withStatus } from "./status-of.js";
export { streamTask } from "./stream-task.js";
export {
  clientTlsFromFiles,
  serverTlsFromFiles,
  type TlsFiles,
  tlsSettings,
} from "./tls-files.js";
export { isUuid } from "./uuid.js";
export { validationInterceptor, violationsOf } from "./validation-interceptor.js";
