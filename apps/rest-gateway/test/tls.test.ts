/**
 * Given TLS files (as `pnpm start --tls` gives every app), the gateway serves HTTPS only, and with
 * a CA requires a client certificate signed by it — the rule of the gRPC services and the SOAP
 * gateway; it calls an https:// backend over mutual TLS with its own client certificate.
 */
import { request as httpRequest } from "node:http";
import { request as httpsRequest, type RequestOptions } from "node:https";
import type { AddressInfo } from "node:net";
import { openDatabase } from "@switchboard/database";
import { outboxMigrations } from "@switchboard/messaging";
import { clientTlsFromFiles, serverTlsFromFiles } from "@switchboard/runtime";
import { devCertificates, memoryLogger, serveOnPort0 } from "@switchboard/testing";
import { buildApp as buildUserApp, UserStore, userMigrations } from "@switchboard/user-service";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { build } from "../src/app.js";
import { createBackends } from "../src/backends.js";

let certs: ReturnType<typeof devCertificates>;
let client: typeof certs.client;
let port: number;
const closers: (() => Promise<unknown>)[] = [];
beforeAll(async () => {
  certs = devCertificates("rest-gateway-certs-");
  const { file } = certs;
  client = certs.client;
  const serverFiles = {
    TLS_CERT_FILE: file("server.pem"),
    TLS_KEY_FILE: file("server-key.pem"),
    TLS_CA_FILE: file("ca.pem"),
  };

  // user-service over mutual TLS, as under `pnpm start --tls`: no client certificate, no call.
  const db = await openDatabase({});
  await db.migrate("user-service", userMigrations);
  await db.migrate("outbox", outboxMigrations);
  const user = await serveOnPort0(
    buildUserApp({
      logger: memoryLogger().logger,
      store: new UserStore(db),
      outbox: { wake() {} },
      tls: serverTlsFromFiles(serverFiles)!,
    }).server,
  );
  closers.push(
    () => user.server.shutdown(),
    () => db.close(),
  );

  const backends = createBackends(
    {
      user: `https://localhost:${user.port}`,
      image: "https://localhost:1", // not called here
      notification: "https://localhost:1",
    },
    {
      timeoutMs: 5_000,
      tls: clientTlsFromFiles({
        ...serverFiles,
        TLS_CLIENT_CERT_FILE: file("rest-gateway-client.pem"),
        TLS_CLIENT_KEY_FILE: file("rest-gateway-client-key.pem"),
      }),
    },
  );
  const { app } = await build({
    logger: memoryLogger().logger,
    backends,
    tls: serverTlsFromFiles(serverFiles)!,
  });
  await app.listen({ port: 0, host: "127.0.0.1" });
  port = (app.server.address() as AddressInfo).port;
  closers.unshift(() => app.close());
}, 120_000);
afterAll(async () => {
  for (const close of closers) await close();
  certs?.remove();
});

const get = (request: typeof httpsRequest, path: string, options: RequestOptions = {}) =>
  send(request, path, options);

function send(request: typeof httpsRequest, path: string, options: RequestOptions, body?: string) {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request({ host: "localhost", port, path, ...options }, (res) => {
      const parts: Buffer[] = [];
      res.on("data", (part: Buffer) => parts.push(part));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(parts).toString() }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

describe("the gateway over mutual TLS", () => {
  it("answers HTTPS from a client with a certificate, and reaches user-service over mutual TLS", async () => {
    expect((await get(httpsRequest, "/healthz", client)).status).toBe(200);
    // Sign-up (CreateUser, open to anyone) is user-service's answer: the call went over mutual TLS.
    const email = `tls.${Date.now()}@example.com`;
    const created = await send(
      httpsRequest,
      "/v1/users",
      { ...client, method: "POST", headers: { "content-type": "application/json" } },
      JSON.stringify({ name: "Tls", email, password: "correct-horse-battery" }),
    );
    expect(created.status, created.text).toBe(200);
    expect(JSON.parse(created.text).user.email).toBe(email);
  });

  it("refuses a client without a certificate, and plain HTTP", async () => {
    await expect(get(httpsRequest, "/healthz", { ca: client.ca })).rejects.toThrow();
    await expect(get(httpRequest as typeof httpsRequest, "/healthz")).rejects.toThrow();
  });
});
