import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import http from "node:http";
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ConnectRouter } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { Health, HealthCheckResponse_ServingStatus } from "@switchboard/proto/grpc/health/v1/health_pb.js";
import { afterEach, describe, expect, it } from "vitest";

const script = fileURLToPath(new URL("./container-healthcheck.mjs", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "healthcheck-"));
const servers: Array<{ close: () => void }> = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

/** Runs the health check as Docker does; resolves with its exit code and stderr. */
function runCheck(manifest: object, env: Record<string, string> = {}) {
  const file = join(dir, `${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(manifest));
  return new Promise<{ code: number; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [script, file],
      { env: { ...process.env, PORT: "", ...env } },
      (error, _o, stderr) => resolve({ code: error ? Number(error.code) : 0, stderr }),
    );
  });
}

async function grpcHealthServer(status: HealthCheckResponse_ServingStatus): Promise<number> {
  const routes = (router: ConnectRouter) =>
    router.service(Health, {
      check: () => ({ status }),
      list: () => ({}),
      watch: async function* () {},
    });
  const server = http2.createServer(connectNodeAdapter({ routes }));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

async function httpServer(status: number): Promise<number> {
  const server = http.createServer((req, res) => {
    res.writeHead(req.url === "/readyz" ? status : 404).end();
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

describe("container-healthcheck.mjs", () => {
  it("passes when grpc.health.v1 answers SERVING on the manifest's port", async () => {
    const port = await grpcHealthServer(HealthCheckResponse_ServingStatus.SERVING);
    expect(await runCheck({ switchboard: { protocol: "grpc", port } })).toEqual({ code: 0, stderr: "" });
  });

  it("fails when the server is NOT_SERVING (draining)", async () => {
    const port = await grpcHealthServer(HealthCheckResponse_ServingStatus.NOT_SERVING);
    const result = await runCheck({ switchboard: { port: 1 } }, { PORT: String(port) });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("not SERVING");
  });

  it("fails when nothing listens", async () => {
    const port = await httpServer(200); // take a free port, then free it
    servers.pop()?.close();
    const result = await runCheck({ switchboard: { port } });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/ECONNREFUSED/);
  });

  it("fails without a port", async () => {
    const result = await runCheck({ name: "x" });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("no port");
  });

  it("checks GET /readyz for HTTP apps", async () => {
    const ready = await httpServer(200);
    expect((await runCheck({ switchboard: { protocol: "http", port: ready } })).code).toBe(0);
    const notReady = await httpServer(503);
    const result = await runCheck({ switchboard: { protocol: "http", port: notReady } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("503");
  });

  it("checks the manifest's readyPath instead, for an HTTP app without /readyz", async () => {
    const port = await httpServer(200); // answers /readyz only: any other path is 404
    const result = await runCheck({ switchboard: { protocol: "http", port, readyPath: "/healthz" } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("GET /healthz answered 404");
  });

  it("calls an HTTP gateway over plain HTTP even when its TLS_* client settings are set", async () => {
    const port = await httpServer(200);
    // Unreadable files would fail the check before any call: the files exist, their content is not used.
    writeFileSync(join(dir, "cert.pem"), "unused");
    const env = { TLS_CERT_FILE: join(dir, "cert.pem"), TLS_KEY_FILE: join(dir, "cert.pem") };
    expect(await runCheck({ switchboard: { protocol: "http", port } }, env)).toEqual({ code: 0, stderr: "" });
  });
});
