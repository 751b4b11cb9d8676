export {
  type BrokerName,
  brokerUrls,
  ensureBrokers,
  killBroker,
  repoRoot,
  restartBroker,
} from "./brokers.js";
export { callError, collect } from "./call-error.js";
export { type ClientTlsPem, connectClient, type Protocol } from "./connect-client.js";
export { filesUnder } from "./files.js";
export { grpcJsClient, unary } from "./grpc-js-client.js";
export { memoryLogger } from "./logger.js";
export { brokenMarkdownLinks, type MarkdownLink } from "./markdown-links.js";
export { medianSeconds } from "./median.js";
export { unsentOutboxRows } from "./outbox-rows.js";
export { pngOf } from "./png.js";
export { type Listener, type Served, serveOnPort0 } from "./serve.js";
export { until } from "./until.js";
