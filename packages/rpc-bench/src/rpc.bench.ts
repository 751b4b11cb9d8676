/**
 * Per-call cost of the service kit, in one run: a bare @grpc/grpc-js server, a bare connect-node
 * server, the kit (packages/runtime's GrpcServer around the same handlers) and the real services,
 * each in its own process, driven by one load tool (ghz; a grpc-js load loop without it). Ratios
 * are to grpc-js within the same repeat; the machine is shared, so each figure is the median of
 * BENCH_REPEATS repeats with the range beside it.
 *
 * Env: BENCH_REPEATS (3), BENCH_SECONDS per measurement (3), BENCH_UPLOADS per upload
 * measurement (4), BENCH_CPU_PROF=dir to profile every server (node --cpu-prof),
 * BENCH_LOAD=loop to skip ghz, BENCH_WARMUP_SECONDS (1) of unmeasured load per server and call first.
 */
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { Health } from "@switchboard/proto/grpc/health/v1/health_pb.js";
import { EchoService } from "@switchboard/proto/switchboard/echo/v1/echo_pb.js";
import { UserService } from "@switchboard/proto/switchboard/user/v1/user_service_pb.js";
import { repoRoot } from "@switchboard/testing";
import sharp from "sharp";
import { findGhz, type GhzCall, runGhz } from "./load/ghz.js";
import { runGrpcJsLoop, runGrpcJsUploads, runTcpUploads } from "./load/grpc-js-loop.js";
import { type Measured, median, type Sample } from "./load/stats.js";
import { type RunningServer, spawnServer } from "./spawn-server.js";
import { ECHO_TEXT, MiB, STREAM_COUNT, UPLOAD_CHUNK, USER_ID } from "./workload.js";

const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const UPLOADS = Number(process.env.BENCH_UPLOADS ?? 4);
const WARMUP = Number(process.env.BENCH_WARMUP_SECONDS ?? 1);
const LOAD = { seconds: SECONDS, concurrency: 20, connections: 2 };
const protoDir = join(repoRoot(), "proto");
const importPaths = [protoDir, join(protoDir, "vendor")];

/** user-service called without a bearer token (open rpcs only). */
const NO_TOKEN = "user-service (no token)";
/** The process a row's server name runs in. */
const processOf = (name: string) => (name === NO_TOKEN ? "user-service" : name);

interface RpcRow {
  label: string;
  servers: string[];
  ghz: GhzCall;
  loop: Parameters<typeof runGrpcJsLoop>[1];
}

const allRows: RpcRow[] = [
  {
    label: "Health/Check",
    // Without a token, as a k8s probe calls it: the difference to the row with one is what
    // verifying the (cached) token costs per call.
    servers: ["grpc-js", "connect-node", "kit-connect", "kit-grpc-js", "user-service", NO_TOKEN],
    ghz: { call: "grpc.health.v1.Health.Check", data: {}, proto: "grpc/health/v1/health.proto", importPaths },
    loop: { service: Health, method: "Check", request: {}, serverStream: false },
  },
  {
    label: "GetUser",
    // user-service reads through its cache; -uncached asks PGlite on every call.
    servers: [
      "grpc-js",
      "connect-node",
      "kit-connect",
      "kit-grpc-js",
      "user-service",
      "user-service-uncached",
    ],
    ghz: {
      call: "switchboard.user.v1.UserService.GetUser",
      data: { id: USER_ID },
      proto: "switchboard/user/v1/user_service.proto",
      importPaths,
    },
    loop: { service: UserService, method: "GetUser", request: { id: USER_ID }, serverStream: false },
  },
  {
    label: "Echo 1 KiB",
    servers: ["grpc-js", "connect-node", "kit-connect", "kit-grpc-js"],
    ghz: {
      call: "switchboard.echo.v1.EchoService.Echo",
      data: { text: ECHO_TEXT },
      proto: "switchboard/echo/v1/echo.proto",
      importPaths,
    },
    loop: { service: EchoService, method: "Echo", request: { text: ECHO_TEXT }, serverStream: false },
  },
  {
    label: `stream ${STREAM_COUNT} msgs`,
    servers: ["grpc-js", "connect-node", "kit-connect", "kit-grpc-js"],
    ghz: {
      call: "switchboard.echo.v1.EchoService.EchoMany",
      data: { text: "tick", count: STREAM_COUNT },
      proto: "switchboard/echo/v1/echo.proto",
      importPaths,
    },
    loop: {
      service: EchoService,
      method: "EchoMany",
      request: { text: "tick", count: STREAM_COUNT },
      serverStream: true,
    },
  },
];
const UPLOAD_ROW = "upload 32 MiB/64 KiB";
const allUploadServers = [
  "grpc-js",
  "connect-node",
  "kit-connect",
  "kit-grpc-js",
  "image-service",
  "tcp-sink",
  "tcp-pipeline",
];

// A quick A/B on a part: BENCH_ROWS=Health/Check,GetUser (or "upload") and BENCH_SERVERS=grpc-js,kit-grpc-js.
// The ratios divide by grpc-js, so it stays in unless the servers are only upload peers.
const only = (variable: string) => process.env[variable]?.split(",").map((item) => item.trim());
const onlyRows = only("BENCH_ROWS");
const onlyServers = only("BENCH_SERVERS");
const keepServer = (name: string) =>
  !onlyServers || name === "grpc-js" || onlyServers.includes(processOf(name));
const rows = allRows
  .filter((row) => !onlyRows || onlyRows.includes(row.label))
  .map((row) => ({ ...row, servers: row.servers.filter(keepServer) }));
const UPLOAD_SERVERS =
  onlyRows && !onlyRows.includes("upload")
    ? []
    : allUploadServers.filter((name) => keepServer(name) || name.startsWith("tcp-"));

const log = (line: string) => console.log(line);
const ghz = process.env.BENCH_LOAD === "loop" ? undefined : await findGhz(log);
const tool = ghz ? "ghz v0.120.0" : "grpc-js load loop";

// 3400×3300 random pixels stored uncompressed in a PNG: about 32 MiB that cannot shrink. The same
// bytes go to every upload target, so the sinks and the pipelines see identical input.
const png = await sharp(randomBytes(3400 * 3300 * 3), { raw: { width: 3400, height: 3300, channels: 3 } })
  .png({ compressionLevel: 0 })
  .toBuffer();

const names = [...new Set([...rows.flatMap((row) => row.servers.map(processOf)), ...UPLOAD_SERVERS])];
const running = new Map<string, RunningServer>();
for (const name of names) running.set(name, await spawnServer(name, process.env.BENCH_CPU_PROF));
const server = (name: string) => running.get(name) as RunningServer;

/** samples[row][server] = one Sample per repeat */
const samples = new Map<string, Map<string, Measured[]>>();
const record = (row: string, name: string, sample: Measured) => {
  const byServer = samples.get(row) ?? new Map<string, Measured[]>();
  samples.set(row, byServer);
  byServer.set(name, [...(byServer.get(name) ?? []), sample]);
};

log(
  `RPC bench: ${tool}, ${LOAD.concurrency} concurrent calls over ${LOAD.connections} connections, ${SECONDS} s per measurement, ${REPEATS} repeats; uploads: ${(png.length / MiB).toFixed(1)} MiB in ${UPLOAD_CHUNK / 1024} KiB chunks, one at a time, ${UPLOADS} per measurement (grpc-js client)`,
);
/** Runs `load` against `target` and adds the server's CPU time per call to its sample. */
const withCpu = async (target: RunningServer, load: () => Promise<Sample>): Promise<Measured> => {
  const before = await target.cpuSeconds();
  const sample = await load();
  return { ...sample, cpuUsPerCall: (((await target.cpuSeconds()) - before) * 1e6) / sample.calls };
};
const measure = (row: RpcRow, name: string, load: typeof LOAD) => {
  const target = server(processOf(name));
  const token = name === NO_TOKEN ? undefined : target.token;
  return withCpu(target, () =>
    ghz
      ? runGhz(ghz, target.address, row.ghz, load, token)
      : runGrpcJsLoop(target.address, row.loop, load, token),
  );
};
const upload = (name: string, count: number) => {
  const target = server(name);
  return withCpu(target, () =>
    name.startsWith("tcp-")
      ? runTcpUploads(target.port, png, UPLOAD_CHUNK, count)
      : runGrpcJsUploads(target.address, png, UPLOAD_CHUNK, count, target.token),
  );
};
try {
  // Every server gets the same warm-up on every call before anything counts: a cold server
  // (JIT not done) measured first in a row would look slower than the same code measured warm.
  for (const row of rows)
    for (const name of row.servers) await measure(row, name, { ...LOAD, seconds: WARMUP });
  // Uploads too: the first 32 MiB through a cold server ran at half the speed of the later ones.
  for (const name of UPLOAD_SERVERS) await upload(name, 2);
  for (let repeat = 0; repeat < REPEATS; repeat++) {
    for (const row of rows) {
      for (const name of row.servers) record(row.label, name, await measure(row, name, LOAD));
    }
    for (const name of UPLOAD_SERVERS) record(UPLOAD_ROW, name, await upload(name, UPLOADS));
    log(`repeat ${repeat + 1}/${REPEATS} done`);
  }
} finally {
  await Promise.all([...running.values()].map((s) => s.stop()));
}

const fmt = (value: number, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : "-");
/** "median (min–max)" */
const spread = (values: number[], digits = 0) =>
  `${fmt(median(values), digits)} (${fmt(Math.min(...values), digits)}–${fmt(Math.max(...values), digits)})`;
/** Per-repeat ratio of `name` to `reference`, as "median (min–max)". */
const ratio = (row: string, name: string, reference: string, pick: (s: Measured) => number) => {
  const mine = samples.get(row)?.get(name) ?? [];
  const theirs = samples.get(row)?.get(reference) ?? [];
  return spread(
    mine.map((s, i) => pick(s) / pick(theirs[i] as Measured)),
    2,
  );
};

log("");
log(
  "| call | server | req/s | p50 ms | p99 ms | server CPU µs/call | req/s ÷ grpc-js | p99 ÷ grpc-js | CPU/call ÷ grpc-js | errors |",
);
log("|---|---|---|---|---|---|---|---|---|---|");
for (const row of [...rows.map((r) => r.label), UPLOAD_ROW]) {
  for (const [name, list] of samples.get(row) ?? []) {
    if (name.startsWith("tcp-") || name === "image-service") continue;
    log(
      `| ${row} | ${name} | ${spread(
        list.map((s) => s.rps),
        row === UPLOAD_ROW ? 2 : 0,
      )} | ${spread(
        list.map((s) => s.p50Ms),
        1,
      )} | ${spread(
        list.map((s) => s.p99Ms),
        1,
      )} | ${spread(list.map((s) => s.cpuUsPerCall))} | ${ratio(row, name, "grpc-js", (s) => s.rps)} | ${ratio(
        row,
        name,
        "grpc-js",
        (s) => s.p99Ms,
      )} | ${ratio(row, name, "grpc-js", (s) => s.cpuUsPerCall)} | ${list.reduce((sum, s) => sum + s.errors, 0)} |`,
    );
  }
}

const mibPerSecond = (s: Sample) => (s.rps * png.length) / MiB;
log("");
log("Bulk: 32 MiB in 64 KiB chunks, one upload at a time (MiB/s; ratio per repeat)");
log("| compare | gRPC MiB/s | TCP MiB/s | gRPC ÷ TCP |");
log("|---|---|---|---|");
const bulk = (label: string, grpcName: string, tcpName: string) => {
  const grpcSamples = samples.get(UPLOAD_ROW)?.get(grpcName) ?? [];
  const tcpSamples = samples.get(UPLOAD_ROW)?.get(tcpName) ?? [];
  log(
    `| ${label} | ${spread(grpcSamples.map(mibPerSecond))} | ${spread(tcpSamples.map(mibPerSecond))} | ${ratio(
      UPLOAD_ROW,
      grpcName,
      tcpName,
      mibPerSecond,
    )} |`,
  );
};
bulk("(a) client stream to a sink: kit (connect-node) vs raw TCP", "kit-connect", "tcp-sink");
bulk("(a) client stream to a sink: kit (grpc-js) vs raw TCP", "kit-grpc-js", "tcp-sink");
bulk("(a) client stream to a sink: bare grpc-js vs raw TCP", "grpc-js", "tcp-sink");
bulk("(b) image-service upload vs TCP peer doing the same work", "image-service", "tcp-pipeline");
