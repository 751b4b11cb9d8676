/**
 * Profiles one benchmark server under load: starts it under `node --cpu-prof`, drives
 * `BENCH_CALL` (Health by default) with the grpc-js loop (or ghz, as the bench does, with
 * BENCH_LOAD=ghz) for BENCH_SECONDS, stops it and prints where the profile puts the time.
 * `node src/profile-kit.ts kit-connect|kit-grpc-js|connect-node|grpc-js|user-service`;
 * BENCH_TOKEN=none sends no bearer token.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Health } from "@switchboard/proto/grpc/health/v1/health_pb.js";
import { EchoService } from "@switchboard/proto/switchboard/echo/v1/echo_pb.js";
import { UserService } from "@switchboard/proto/switchboard/user/v1/user_service_pb.js";
import { repoRoot } from "@switchboard/testing";
import { findGhz, runGhz } from "./load/ghz.js";
import { runGrpcJsLoop } from "./load/grpc-js-loop.js";
import { mainThreadProfile, spawnServer } from "./spawn-server.js";
import { ECHO_TEXT, USER_ID } from "./workload.js";

const name = process.argv[2] ?? "kit-connect";
const protoDir = join(repoRoot(), "proto");
const importPaths = [protoDir, join(protoDir, "vendor")];
const calls = {
  health: {
    loop: { service: Health, method: "Check", request: {}, serverStream: false },
    ghz: { call: "grpc.health.v1.Health.Check", data: {}, proto: "grpc/health/v1/health.proto", importPaths },
  },
  getuser: {
    loop: { service: UserService, method: "GetUser", request: { id: USER_ID }, serverStream: false },
    ghz: {
      call: "switchboard.user.v1.UserService.GetUser",
      data: { id: USER_ID },
      proto: "switchboard/user/v1/user_service.proto",
      importPaths,
    },
  },
  echo: {
    loop: { service: EchoService, method: "Echo", request: { text: ECHO_TEXT }, serverStream: false },
    ghz: {
      call: "switchboard.echo.v1.EchoService.Echo",
      data: { text: ECHO_TEXT },
      proto: "switchboard/echo/v1/echo.proto",
      importPaths,
    },
  },
};
const call = calls[(process.env.BENCH_CALL ?? "health") as keyof typeof calls];
const dir = process.env.BENCH_CPU_PROF ?? mkdtempSync(join(tmpdir(), "rpc-bench-prof-"));
const server = await spawnServer(name, dir);
const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const load = { seconds, concurrency: 20, connections: 2 };
const token = process.env.BENCH_TOKEN === "none" ? undefined : server.token;
const ghz = process.env.BENCH_LOAD === "ghz" ? await findGhz(console.log) : undefined;
if (process.env.BENCH_LOAD === "ghz" && !ghz)
  throw new Error("BENCH_LOAD=ghz, but ghz cannot be found or installed");
const sample = ghz
  ? await runGhz(ghz, server.address, call.ghz, load, token)
  : await runGrpcJsLoop(server.address, call.loop, load, token);
await server.stop();
console.log(
  `${name} ${call.loop.method} (${ghz ? "ghz" : "grpc-js loop"}${token ? ", with a token" : ""}): ${sample.rps.toFixed(0)} req/s, p50 ${sample.p50Ms.toFixed(1)} ms, p99 ${sample.p99Ms.toFixed(1)} ms`,
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
