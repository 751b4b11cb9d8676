/**
 * What the REST gateway costs, measured in one run against the same services:
 *   1. GetUser over REST (autocannon → the gateway as its own process → user-service over gRPC)
 *      vs GetUser straight over gRPC (a Connect gRPC client loop), same concurrency and duration:
 *      throughput ratio and the added p50/p99 latency.
 *   2. A ~100 MiB image up through the gateway (multipart, streamed) vs straight to
 *      ImageService/UploadImage in 64 KiB chunks, and the gateway's peak RSS growth meanwhile.
 * The services run in this process (in-memory PGlite, no brokers), the gateway in its own. Every
 * call carries the harness admin's bearer token (verified by the services on both paths).
 */
import { Agent, get } from "node:http";
import { Readable } from "node:stream";
import { ImageService } from "@switchboard/proto/switchboard/image/v1/image_service_pb.js";
import { UserService } from "@switchboard/proto/switchboard/user/v1/user_service_pb.js";
import { connectClient, pngOf } from "@switchboard/testing";
import autocannon from "autocannon";
import { startServices } from "../test/backends.js";
import { spawnGateway } from "../test/gateway-process.js";
import { adminAuthAt } from "../test/people.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const MiB = 1024 * 1024;

const services = await startServices();
const gateway = await spawnGateway(services.urls, { RATE_LIMIT_PER_MINUTE: "10000000" });
const auth = await adminAuthAt(gateway.baseUrl);
const token = auth.authorization.slice("Bearer ".length);
const users = connectClient(UserService, services.urls.user, "grpc", { token });
const { user } = await users.createUser({ name: "Bench", email: `bench.${Date.now()}@example.com` });
const id = user!.id;

function percentile(sorted: number[], p: number) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** GetUser straight over gRPC: `concurrency` loops for `seconds`. */
async function grpcLoop(seconds: number, concurrency = CONCURRENCY) {
  const latencies: number[] = [];
  const end = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const started = performance.now();
        await users.getUser({ id });
        latencies.push(performance.now() - started);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return {
    rps: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    requests: latencies.length,
  };
}

/**
 * GetUser over REST in the same loop as `grpcLoop`, so both sides are timed alike (autocannon's
 * latencies are whole ms): node:http on a keep-alive agent, the lightest HTTP/1.1 client Node has
 * (fetch adds about 0.5 ms a call of its own).
 */
async function restLoop(seconds: number, concurrency = CONCURRENCY) {
  const latencies: number[] = [];
  const end = performance.now() + seconds * 1000;
  const url = `${gateway.baseUrl}/v1/users/${id}`;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const started = performance.now();
        const status = await httpGet(url);
        if (status !== 200) throw new Error(`REST GetUser: ${status}`);
        latencies.push(performance.now() - started);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return {
    rps: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    requests: latencies.length,
  };
}

const keepAlive = new Agent({ keepAlive: true });
function httpGet(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get(url, { agent: keepAlive, headers: auth }, (response) => {
      response.resume();
      response.on("end", () => resolve(response.statusCode ?? 0));
    }).on("error", reject);
  });
}

async function restLoad(seconds: number, concurrency = CONCURRENCY) {
  const result = await autocannon({
    url: `${gateway.baseUrl}/v1/users/${id}`,
    headers: auth,
    connections: concurrency,
    duration: seconds,
  });
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`REST errors: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
  };
}

await grpcLoop(2); // warm-up both paths
await restLoad(2);
/** `load` with the gateway's CPU time per request it served meanwhile (the hop's own cost). */
async function withGatewayCpu(load: () => Promise<Load>): Promise<Load & { gatewayCpuUs: number }> {
  const before = await gateway.cpuSeconds();
  const result = await load();
  const used = (await gateway.cpuSeconds()) - before;
  return { ...result, gatewayCpuUs: (used * 1e6) / result.requests };
}
function report(label: string, grpc: Load, rest: Load & { gatewayCpuUs: number }) {
  console.log(label);
  console.log(
    `  direct gRPC : ${grpc.rps.toFixed(0)} req/s, p50 ${grpc.p50.toFixed(2)} ms, p99 ${grpc.p99.toFixed(2)} ms`,
  );
  console.log(
    `  REST gateway: ${rest.rps.toFixed(0)} req/s, p50 ${rest.p50.toFixed(2)} ms, p99 ${rest.p99.toFixed(2)} ms; gateway CPU ${rest.gatewayCpuUs.toFixed(0)} µs/request`,
  );
  console.log(
    `  ratio REST/gRPC throughput ${(rest.rps / grpc.rps).toFixed(2)}; added p50 ${(rest.p50 - grpc.p50).toFixed(2)} ms, p99 ${(rest.p99 - grpc.p99).toFixed(2)} ms`,
  );
}
type Load = Awaited<ReturnType<typeof grpcLoop>>;
// Under load, p50 is mostly queueing (concurrency ÷ throughput); one call at a time, it is what
// a call costs, so the added p50 there is the gateway's own hop (both sides timed by one loop).
report(
  `GetUser, ${CONCURRENCY} concurrent, ${SECONDS} s each`,
  await grpcLoop(SECONDS),
  await withGatewayCpu(() => restLoad(SECONDS)),
);
report(
  `GetUser, one call at a time, ${SECONDS} s each`,
  await grpcLoop(SECONDS, 1),
  await withGatewayCpu(() => restLoop(SECONDS, 1)),
);

// 2. The upload.
const png = pngOf(5_900, 5_900, true);
const images = connectClient(ImageService, services.urls.image, "grpc", { timeoutMs: 300_000, token });
async function direct() {
  const started = performance.now();
  await images.uploadImage(
    (async function* () {
      yield { data: { case: "metadata" as const, value: { ownerId: "anonymous", filename: "big.png" } } };
      for (let i = 0; i < png.length; i += 64 * 1024)
        yield { data: { case: "chunk" as const, value: png.subarray(i, i + 64 * 1024) } };
    })(),
  );
  return (performance.now() - started) / 1000;
}
async function viaGateway() {
  const boundary = "bench-boundary";
  const body = Readable.from(
    (function* () {
      yield Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="ownerId"\r\n\r\nanonymous\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.png"\r\nContent-Type: image/png\r\n\r\n`,
      );
      for (let i = 0; i < png.length; i += MiB) yield png.subarray(i, i + MiB);
      yield Buffer.from(`\r\n--${boundary}--\r\n`);
    })(),
  );
  const started = performance.now();
  const response = await fetch(`${gateway.baseUrl}/v1/images`, {
    method: "POST",
    headers: { ...auth, "content-type": `multipart/form-data; boundary=${boundary}` },
    body: Readable.toWeb(body) as ReadableStream,
    duplex: "half",
  } as RequestInit);
  if (response.status !== 201) throw new Error(`upload: ${response.status} ${await response.text()}`);
  return (performance.now() - started) / 1000;
}
const before = await gateway.rssMiB();
let peak = before;
const sampler = setInterval(async () => {
  peak = Math.max(peak, await gateway.rssMiB());
}, 25);
const gatewaySeconds = await viaGateway();
clearInterval(sampler);
const directSeconds = await direct();
const size = png.length / MiB;
console.log(`Upload of ${size.toFixed(1)} MiB`);
console.log(
  `  direct UploadImage: ${(size / directSeconds).toFixed(1)} MiB/s; via the gateway (multipart): ${(size / gatewaySeconds).toFixed(1)} MiB/s; ratio ${(directSeconds / gatewaySeconds).toFixed(2)}`,
);
console.log(
  `  gateway RSS ${before.toFixed(1)} → peak ${peak.toFixed(1)} MiB (+${(peak - before).toFixed(1)})`,
);

await gateway.stop();
await services.close();
