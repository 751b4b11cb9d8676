/** Uploads to `names` alternately (BENCH_UPLOADS each, 3 rounds): a quick A/B of client-stream throughput. */
import { randomBytes } from "node:crypto";
import { runGrpcJsUploads } from "./load/grpc-js-loop.js";
import { spawnServer } from "./spawn-server.js";
import { UPLOAD_BYTES, UPLOAD_CHUNK } from "./workload.js";

const names = process.argv.slice(2);
const bytes = randomBytes(UPLOAD_BYTES);
const servers = await Promise.all(names.map((name) => spawnServer(name, process.env.BENCH_CPU_PROF)));
try {
  for (let round = 0; round < 3; round++) {
    for (const server of servers) {
      const sample = await runGrpcJsUploads(
        server.address,
        bytes,
        UPLOAD_CHUNK,
        Number(process.env.BENCH_UPLOADS ?? 3),
        server.token,
      );
      console.log(`${server.name}: ${(sample.rps * 32).toFixed(0)} MiB/s (errors ${sample.errors})`);
    }
  }
} finally {
  await Promise.all(servers.map((server) => server.stop()));
}
