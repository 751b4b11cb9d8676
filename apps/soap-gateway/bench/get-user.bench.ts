/**
 * One GetUser, three ways, in one run:
 *  1. bytes on the wire — the protobuf messages of a gRPC call (with their 5-byte frame), the
 *     proto3 JSON a REST/Connect call carries, and the SOAP 1.1 envelopes this gateway reads and
 *     writes, the request with its wsse:Security header and JWT (bodies only: HTTP/1.1 and HTTP/2
 *     headers, and so the other two's bearer tokens, are left out);
 *  2. GetUser through the SOAP gateway, through the REST gateway (GET /v1/users/{id}) and straight
 *     to user-service over gRPC: calls per second and latency p50/p99, CONCURRENCY calls in flight,
 *     CALLS calls per leg, legs alternated over ROUNDS rounds (medians kept). The same client loop
 *     drives all three, so the ratios compare like with like; they are what to compare across machines.
 * Everything runs in this process (user-service over an in-memory PGlite, both gateways, the
 * clients) on real loopback sockets.
 */
import { randomUUID } from "node:crypto";
import { Agent, request } from "node:http";
import { toBinary, toJsonString } from "@bufbuild/protobuf";
import {
  GetUserRequestSchema,
  GetUserResponseSchema,
  UserService,
} from "@switchboard/proto/switchboard/user/v1/user_service_pb.js";
import { build as buildRestGateway, createBackends } from "@switchboard/rest-gateway";
import { createLogger, createServiceClient } from "@switchboard/runtime";
import { action, envelope11 } from "../test/raw-soap.js";
import { startSystem } from "../test/system.js";

const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const CALLS = Number(process.env.BENCH_CALLS ?? 3_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

const system = await startSystem();
// Every leg calls as the admin: a JWT as gRPC metadata, in a wsse:Security header, and as an
// Authorization header on REST.
const grpc = createServiceClient(UserService, { baseUrl: system.grpcUrl, token: () => system.admin.token });
const { user } = await grpc.createUser({
  requestId: randomUUID(),
  name: "Ana María",
  email: `ana-${randomUUID().slice(0, 8)}@example.com`,
});
if (!user) throw new Error("no user created");

// The REST gateway over the same user-service (its rate limit lifted: this is one client on purpose).
const rest = await buildRestGateway({
  logger: createLogger({ name: "rest-gateway", level: "warn" }),
  backends: createBackends(
    { user: system.grpcUrl, image: "http://127.0.0.1:1", notification: "http://127.0.0.1:1" },
    { timeoutMs: 5_000 },
  ),
  options: { rateLimitPerMinute: 1_000_000_000 },
});
const restUrl = await rest.app.listen({ port: 0, host: "127.0.0.1" });

const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
const soapRequest = Buffer.from(
  envelope11(
    `<u:GetUser><u:id>${user.id}</u:id></u:GetUser>`,
    `<s:Header>${system.admin.security}</s:Header>`,
  ),
);
const soapHeaders = {
  "content-type": "text/xml; charset=utf-8",
  soapaction: action("GetUser"),
  "content-length": soapRequest.length,
};
function soapGetUser(): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${system.url}/ws/UserService`,
      { method: "POST", headers: soapHeaders, agent },
      (res) => {
        const parts: Buffer[] = [];
        res.on("data", (part: Buffer) => parts.push(part));
        res.on("end", () =>
          res.statusCode === 200
            ? resolve(Buffer.concat(parts))
            : reject(new Error(`HTTP ${res.statusCode}`)),
        );
      },
    );
    req.on("error", reject);
    req.end(soapRequest);
  });
}
function restGetUser(): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const headers = { authorization: system.admin.authorization };
    const req = request(`${restUrl}/v1/users/${user?.id}`, { method: "GET", headers, agent }, (res) => {
      const parts: Buffer[] = [];
      res.on("data", (part: Buffer) => parts.push(part));
      res.on("end", () =>
        res.statusCode === 200 ? resolve(Buffer.concat(parts)) : reject(new Error(`HTTP ${res.statusCode}`)),
      );
    });
    req.on("error", reject);
    req.end();
  });
}
const grpcGetUser = async () => {
  await grpc.getUser({ id: user.id });
};

// 1. Bytes on the wire.
const getRequest = { $typeName: "switchboard.user.v1.GetUserRequest", id: user.id } as const;
const getResponse = await grpc.getUser({ id: user.id });
const soapResponse = await soapGetUser();
const sizes = [
  [
    "protobuf (gRPC)",
    toBinary(GetUserRequestSchema, getRequest).length + 5,
    toBinary(GetUserResponseSchema, getResponse).length + 5,
  ],
  [
    "JSON (REST/Connect)",
    Buffer.byteLength(toJsonString(GetUserRequestSchema, getRequest)),
    Buffer.byteLength(toJsonString(GetUserResponseSchema, getResponse)),
  ],
  ["SOAP 1.1 XML", soapRequest.length, soapResponse.length],
] as const;

// 2. Throughput and latency.
interface Leg {
  perSecond: number;
  p50: number;
  p99: number;
}
async function leg(call: () => Promise<unknown>): Promise<Leg> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < CALLS) {
        const t = performance.now();
        await call();
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return { perSecond: latencies.length / seconds, p50: at(0.5), p99: at(0.99) };
}
const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

await leg(grpcGetUser); // warm-up: JIT, connections, PGlite caches
await leg(soapGetUser);
await leg(restGetUser);
const runs: { grpc: Leg[]; soap: Leg[]; rest: Leg[] } = { grpc: [], soap: [], rest: [] };
for (let round = 0; round < ROUNDS; round++) {
  runs.grpc.push(await leg(grpcGetUser));
  runs.soap.push(await leg(soapGetUser));
  runs.rest.push(await leg(restGetUser));
}
const summary = (legs: Leg[]) => ({
  perSecond: median(legs.map((l) => l.perSecond)),
  p50: median(legs.map((l) => l.p50)),
  p99: median(legs.map((l) => l.p99)),
});
const grpcSummary = summary(runs.grpc);
const soapSummary = summary(runs.soap);
const restSummary = summary(runs.rest);

console.log("\nGetUser — bytes on the wire (message bodies; HTTP headers not counted)");
console.log("| encoding | request | response | response vs protobuf |");
console.log("|---|---|---|---|");
for (const [name, req, res] of sizes) {
  console.log(`| ${name} | ${req} B | ${res} B | ${(res / sizes[0][2]).toFixed(1)}× |`);
}
console.log(
  `\nGetUser — ${CONCURRENCY} in flight, ${CALLS} calls per leg, median of ${ROUNDS} alternated rounds`,
);
console.log("| path | calls/s | p50 | p99 | throughput vs gRPC |");
console.log("|---|---|---|---|---|");
for (const [name, s] of [
  ["direct gRPC", grpcSummary],
  ["REST gateway → gRPC", restSummary],
  ["SOAP gateway → gRPC", soapSummary],
] as const) {
  console.log(
    `| ${name} | ${s.perSecond.toFixed(0)} | ${s.p50.toFixed(2)} ms | ${s.p99.toFixed(2)} ms | ${(s.perSecond / grpcSummary.perSecond).toFixed(2)} |`,
  );
}
console.log(`\nSOAP throughput vs REST: ${(soapSummary.perSecond / restSummary.perSecond).toFixed(2)}`);
agent.destroy();
await rest.app.close();
await system.close();
