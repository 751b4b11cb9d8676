/**
 * What authentication costs per call: TokenVerifier.verify alone (ES256 signature + claims; and a
 * token it has verified before, from its cache), and an
 * Echo round trip on GrpcJsServer without auth, with a bearer token, and anonymous on an open rpc
 * (health). One process, one client, sequential calls; the machine is shared, so each figure is the
 * median of BENCH_REPEATS repeats. Env: BENCH_REPEATS (3), BENCH_SECONDS per measurement (2).
 */
import { Health } from "@switchboard/proto/grpc/health/v1/health_pb.js";
import { EchoService } from "@switchboard/proto/switchboard/echo/v1/echo_pb.js";
import { memoryLogger, serveOnPort0, testTokens } from "@switchboard/testing";
import type { AuthOptions } from "../src/auth/auth-options.js";
import { TokenVerifier } from "../src/auth/token-verifier.js";
import { createServiceClient } from "../src/grpc-client.js";
import { GrpcJsServer } from "../src/grpc-js/grpc-js-server.js";
import { echoService } from "../test/echo-service.js";

const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
const tokens = testTokens();

/** Operations per second of `operation`, run back to back for SECONDS; the median of REPEATS runs. */
async function rate(operation: () => Promise<unknown>): Promise<number> {
  const rates: number[] = [];
  for (let repeat = 0; repeat < REPEATS; repeat++) {
    for (let warm = 0; warm < 200; warm++) await operation();
    let count = 0;
    const started = performance.now();
    while (performance.now() - started < SECONDS * 1000) {
      await operation();
      count++;
    }
    rates.push(count / ((performance.now() - started) / 1000));
  }
  rates.sort((a, b) => a - b);
  return rates[Math.floor(rates.length / 2)] ?? 0;
}

async function echoRate(auth: AuthOptions | undefined, token?: string) {
  const server = new GrpcJsServer({
    logger: memoryLogger().logger,
    ...(auth ? { auth } : {}),
    routes: (router) => router.service(EchoService, echoService),
  });
  await using served = await serveOnPort0(server);
  const client = createServiceClient(EchoService, {
    baseUrl: served.baseUrl,
    ...(token ? { token: () => token } : {}),
  });
  const health = createServiceClient(Health, { baseUrl: served.baseUrl });
  return {
    echo: await rate(() => client.echo({ text: "bench" })),
    health: await rate(() => health.check({})),
  };
}

const token = await tokens.user("bench-user");
const uncached = new TokenVerifier({ keys: tokens.keys, cacheSize: 0 });
const verifyFirst = await rate(() => uncached.verify(token));
const verifyKnown = await rate(() => tokens.verifier.verify(token));
const plain = await echoRate(undefined);
const authed = await echoRate({ verifier: tokens.verifier }, token);
const row = (label: string, perSecond: number) =>
  console.log(
    `${label.padEnd(44)} ${Math.round(perSecond).toString().padStart(8)}/s  ${(1e6 / perSecond).toFixed(1).padStart(7)} µs`,
  );
row("TokenVerifier.verify, ES256 check (no cache)", verifyFirst);
row("TokenVerifier.verify, token seen before", verifyKnown);
row("Echo, GrpcJsServer without auth", plain.echo);
row("Echo, GrpcJsServer with auth + bearer token", authed.echo);
row("Health/Check, without auth", plain.health);
row("Health/Check, with auth (open, anonymous)", authed.health);
