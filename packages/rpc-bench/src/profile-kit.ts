/**
 * Profiles one benchmark server under load: starts it under `node --cpu-prof`, drives
 * `BENCH_CALL` (Health by default) with the grpc-js loop for BENCH_SECONDS, stops it and prints
 * where the profile puts the time. `node src/profile-kit.ts kit-connect|kit-grpc-js|connect-node|grpc-js|user-service`.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Health } from "@switchboard/proto/grpc/health/v1/health_pb.js";
import { EchoService } from "@switchboard/proto/switchboard/echo/v1/echo_pb.js";
import { UserService } from "@switchboard/proto/switchboard/user/v1/user_service_pb.js";
import { runGrpcJsLoop } from "./load/grpc-js-loop.js";
import { mainThreadProfile, spawnServer } from "./spawn-server.js";
import { ECHO_TEXT, USER_ID } from "./workload.js";

const name = process.argv[2] ?? "kit-connect";
const calls = {
  health: { service: Health, method: "Check", request: {}, serverStream: false },
  getuser: { service: UserService, method: "GetUser", request: { id: USER_ID }, serverStream: false },
  echo: { service: EchoService, method: "Echo", request: { text: ECHO_TEXT }, serverStream: false },
};
const call = calls[(process.env.BENCH_CALL ?? "health") as keyof typeof calls];
const dir = process.env.BENCH_CPU_PROF ?? mkdtempSync(join(tmpdir(), "rpc-bench-prof-"));
const server = await spawnServer(name, dir);
const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const sample = await runGrpcJsLoop(
  server.address,
  call,
  { seconds, concurrency: 20, connections: 2 },
  server.token,
);
await server.stop();
console.log(
  `${name} ${call.method}: ${sample.rps.toFixed(0)} req/s, p50 ${sample.p50Ms.toFixed(1)} ms, p99 ${sample.p99Ms.toFixed(1)} ms`,
);
const file = mainThreadProfile(dir, name);
console.log(
  execFileSync(
    process.execPath,
    ["--import", "tsx", fileURLToPath(new URL("./profile-top.ts", import.meta.url)), file, "30"],
    {
      encoding: "utf8",
    },
  ),
);
