import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { Sample } from "./stats.js";

const run = promisify(execFile);
const GHZ_MODULE = "github.com/bojand/ghz/cmd/ghz@v0.120.0";

/**
 * ghz, the Go gRPC load tool: from PATH, GOPATH/bin or ~/go/bin; else `go install`ed (about
 * 3 minutes cold) when Go is there. Undefined when neither works: the bench then drives every
 * server with its grpc-js load loop instead.
 */
export async function findGhz(log: (line: string) => void): Promise<string | undefined> {
  const candidates = [
    ...(process.env.PATH ?? "").split(":").map((dir) => join(dir, "ghz")),
    ...(process.env.GOPATH ? [join(process.env.GOPATH, "bin", "ghz")] : []),
    join(homedir(), "go", "bin", "ghz"),
  ];
  const found = candidates.find((path) => existsSync(path));
  if (found) return found;
  try {
    log(`installing ghz (go install ${GHZ_MODULE}) ...`);
    await run("go", ["install", GHZ_MODULE], { timeout: 600_000 });
    const { stdout } = await run("go", ["env", "GOPATH"]);
    const installed = join(stdout.trim().split(":")[0] ?? "", "bin", "ghz");
    return existsSync(installed) ? installed : undefined;
  } catch (error) {
    log(`ghz unavailable (${(error as Error).message.split("\n")[0]}); using the grpc-js load loop`);
    return undefined;
  }
}

export interface GhzCall {
  /** package.Service.Method */
  call: string;
  /** The request as proto3 JSON. */
  data: unknown;
  /** The .proto file declaring the service, relative to one of `importPaths`. */
  proto: string;
  importPaths: string[];
}

/**
 * Runs ghz against `address` for `seconds` with `concurrency` calls over `connections` connections,
 * each call carrying `token` as its bearer token when given.
 */
export async function runGhz(
  ghz: string,
  address: string,
  target: GhzCall,
  load: { seconds: number; concurrency: number; connections: number },
  token?: string,
): Promise<Sample> {
  const { stdout } = await run(
    ghz,
    [
      "--insecure",
      ...(token ? ["--metadata", JSON.stringify({ authorization: `Bearer ${token}` })] : []),
      "--proto",
      target.proto,
      "--import-paths",
      target.importPaths.join(","),
      "--call",
      target.call,
      "--data",
      JSON.stringify(target.data),
      "--concurrency",
      String(load.concurrency),
      "--connections",
      String(load.connections),
      "--duration",
      `${load.seconds}s`,
      "--duration-stop",
      "ignore",
      "--format",
      "json",
      address,
    ],
    { maxBuffer: 64 * 1024 * 1024, timeout: (load.seconds + 60) * 1000 },
  );
  const report = JSON.parse(stdout) as {
    count: number;
    rps: number;
    latencyDistribution: { percentage: number; latency: number }[] | null;
    statusCodeDistribution?: Record<string, number>;
  };
  const at = (percentage: number) =>
    (report.latencyDistribution?.find((d) => d.percentage === percentage)?.latency ?? Number.NaN) / 1e6;
  const errors = Object.entries(report.statusCodeDistribution ?? {})
    .filter(([code]) => code !== "OK")
    .reduce((sum, [, count]) => sum + count, 0);
  return {
    calls: report.count,
    rps: report.rps,
    p50Ms: at(50),
    p99Ms: at(99),
    errors,
  };
}
