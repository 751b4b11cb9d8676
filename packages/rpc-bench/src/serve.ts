/**
 * Starts one benchmark server in this process and prints `listening <port>` (after `token <jwt>`
 * for a server that needs a bearer token); SIGTERM stops it
 * (so `--cpu-prof` writes its profile). Each server gets a process of its own so that the load
 * tool, the other servers and the bench's own bookkeeping never share its event loop.
 */
import { startBareConnect } from "./servers/bare-connect.js";
import { startBareGrpcJs } from "./servers/bare-grpc-js.js";
import { startKit, startKitGrpcJs } from "./servers/kit.js";
import { startImageService, startUserService } from "./servers/services.js";
import { startTcpPipeline, startTcpSink } from "./servers/tcp-peers.js";

const servers = {
  "grpc-js": startBareGrpcJs,
  "connect-node": startBareConnect,
  "kit-connect": startKit,
  "kit-grpc-js": startKitGrpcJs,
  "user-service": () => startUserService(),
  "user-service-uncached": () => startUserService(false),
  "image-service": startImageService,
  "tcp-sink": startTcpSink,
  "tcp-pipeline": startTcpPipeline,
};

const name = process.argv[2] as keyof typeof servers;
const start = servers[name];
if (!start) {
  console.error(`serve.ts: unknown server "${name}"; one of ${Object.keys(servers).join(", ")}`);
  process.exit(2);
}
const running: { port: number; token?: string; close(): Promise<void> } = await start();
// Before the port: whoever waits for "listening" has the token by then.
if (running.token) console.log(`token ${running.token}`);
console.log(`listening ${running.port}`);
process.once("SIGTERM", async () => {
  await running.close();
  process.exit(0);
});
