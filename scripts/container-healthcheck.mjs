// The containers' health check (Dockerfile HEALTHCHECK, Kubernetes exec probes under TLS): exits 0
// when the app in this container is healthy, 1 otherwise. Plain Node, no dependencies, no shell tools.
//
// gRPC apps (package.json "switchboard.protocol": "grpc", the default): grpc.health.v1.Health/Check
// for the whole server ("") must answer SERVING. Other apps (HTTP gateways): GET /readyz (or the
// package.json's "switchboard.readyPath", for an app without /readyz) must answer 2xx.
// The port is PORT, else the app's package.json "switchboard.port". Under TLS (TLS_CERT_FILE set) a
// gRPC app is called with its own certificate, trusting TLS_CA_FILE: what mutual TLS asks of any
// client. The gateways ("protocol": "http") serve plain HTTP even then (TLS_* are their settings as
// clients of the services); an app that serves HTTPS says "protocol": "https".
//
// Usage: node container-healthcheck.mjs [path/to/package.json]   (default: ./package.json)
import { readFileSync } from "node:fs";
import http from "node:http";
import http2 from "node:http2";
import https from "node:https";
import { resolve } from "node:path";

const TIMEOUT_MS = Number(process.env.HEALTHCHECK_TIMEOUT_MS ?? 2500);
const SERVING = 1; // grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING

const manifest = JSON.parse(readFileSync(resolve(process.argv[2] ?? "package.json"), "utf8"));
const protocol = manifest.switchboard?.protocol ?? "grpc";
const port = Number(process.env.PORT || manifest.switchboard?.port);
const readyPath = manifest.switchboard?.readyPath ?? "/readyz";
const tls = process.env.TLS_CERT_FILE
  ? {
      cert: readFileSync(process.env.TLS_CERT_FILE),
      key: readFileSync(process.env.TLS_KEY_FILE ?? ""),
      ...(process.env.TLS_CA_FILE ? { ca: readFileSync(process.env.TLS_CA_FILE) } : {}),
      // We call ourselves on loopback: the chain is verified, the host name is not ours to check.
      checkServerIdentity: () => undefined,
    }
  : undefined;

const fail = (why) => {
  process.stderr.write(`unhealthy: ${why}\n`);
  process.exit(1);
};
if (!Number.isInteger(port) || port <= 0) fail("no port: set PORT or switchboard.port in package.json");
setTimeout(() => fail(`no answer within ${TIMEOUT_MS} ms`), TIMEOUT_MS).unref();

/** SERVING is field 1 (varint) of HealthCheckResponse: bytes 08 01 after the 5-byte gRPC frame header. */
function servingStatus(body) {
  if (body.length < 5) return 0;
  const message = body.subarray(5, 5 + body.readUInt32BE(1));
  return message[0] === 0x08 ? message[1] : 0; // an empty message is status 0 (UNKNOWN)
}

function checkGrpc() {
  const session = http2.connect(`${tls ? "https" : "http"}://127.0.0.1:${port}`, tls ?? {});
  session.on("error", (error) => fail(error.message));
  const call = session.request({
    ":method": "POST",
    ":path": "/grpc.health.v1.Health/Check",
    "content-type": "application/grpc",
    te: "trailers",
  });
  const chunks = [];
  let grpcStatus;
  call.on("response", (headers) => {
    grpcStatus = headers["grpc-status"]; // trailers-only answers carry it here
  });
  call.on("trailers", (trailers) => {
    grpcStatus = trailers["grpc-status"];
  });
  call.on("data", (chunk) => chunks.push(chunk));
  call.on("error", (error) => fail(error.message));
  call.on("end", () => {
    session.close();
    if (grpcStatus !== "0") fail(`grpc-status ${grpcStatus}`);
    const status = servingStatus(Buffer.concat(chunks));
    if (status !== SERVING) fail(`health status ${status}, not SERVING`);
    process.exit(0);
  });
  call.end(Buffer.alloc(5)); // an empty HealthCheckRequest (service ""): uncompressed, length 0
}

function checkHttp(secure) {
  const request = (secure ? https : http).get(
    { host: "127.0.0.1", port, path: readyPath, ...(secure ? (tls ?? {}) : {}) },
    (response) => {
      response.resume();
      const code = response.statusCode ?? 0;
      if (code >= 200 && code < 300) process.exit(0);
      fail(`GET ${readyPath} answered ${code}`);
    },
  );
  request.on("error", (error) => fail(error.message));
}

if (protocol === "grpc") checkGrpc();
else checkHttp(protocol === "https");
