export {
  type BrokerName,
  brokerUrls,
  ensureBrokers,
  killBroker,
  mqttAdmin,
  repoRoot,
  restartBroker,
} from "./brokers.js";
export { callError, collect } from "./call-error.js";
export { type ClientTlsPem, connectClient, type Protocol } from "./connect-client.js";
export { devCertificates } from "./dev-certificates.js";
export { filesUnder } from "./files.js";
export { grpcJsBearer, grpcJsClient, unary } from "./grpc-js-client.js";
export {
  type HostileOutcome,
  type HostileRequest,
  hostileCalls,
  hostileMessages,
  sendHostileCalls,
} from "./hostile-input.js";
export { serveJwks } from "./jwks-server.js";
export { memoryLogger } from "./logger.js";
export { brokenMarkdownLinks, type MarkdownLink } from "./markdown-links.js";
export { medianSeconds } from "./median.js";
export { type MosquittoSub, type MosquittoSubOptions, spawnMosquittoSub } from "./mosquitto-sub.js";
export { unsentOutboxRows } from "./outbox-rows.js";
export { pngOf } from "./png.js";
export { type PrivateMosquitto, startPrivateMosquitto } from "./private-mosquitto.js";
export { startPrivateRabbitMq } from "./private-rabbitmq.js";
export { cpuSeconds } from "./process-cpu.js";
export { type RawOutcome, rawGrpcCall } from "./raw-grpc.js";
export { type RssSamples, rssMiB, sampleRss } from "./rss-sampler.js";
export { type Listener, type Served, serveOnPort0 } from "./serve.js";
export { freePort, type ServiceProcess, spawnService, waitUntilAnswering } from "./service-process.js";
export { proxiedBroker, startTcpProxy } from "./tcp-proxy.js";
export { type TestTokens, testTokens } from "./test-tokens.js";
export { until } from "./until.js";
