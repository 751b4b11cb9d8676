import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appUrl, devCertificates, formatLogLine, waitHealthy } from "./start-support.js";

describe("formatLogLine", () => {
  it("turns a pino JSON line into a readable one prefixed by the service", () => {
    const line = JSON.stringify({
      level: 30,
      time: 1,
      pid: 9,
      hostname: "h",
      msg: "rpc",
      rpc: "a.B/C",
      code: "OK",
    });
    expect(formatLogLine("user-service", line)).toBe(
      `${"user-service".padEnd(20)} │ INFO  rpc rpc=a.B/C code=OK`,
    );
  });

  it("passes other lines through, prefixed", () => {
    expect(formatLogLine("x", "plain text")).toBe(`${"x".padEnd(20)} │ plain text`);
    expect(formatLogLine("x", "{not json")).toBe(`${"x".padEnd(20)} │ {not json`);
  });
});

describe("an HTTP app under --tls", () => {
  let dir: string;
  let server: Server;
  let port: number;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "start-support-certs-"));
    execFileSync("bash", [join(import.meta.dirname, "dev-certs.sh"), dir], { stdio: "ignore" });
    const read = (name: string) => readFileSync(join(dir, name));
    // As soap-gateway serves under --tls: HTTPS, client certificates from the dev CA required.
    server = createServer(
      { cert: read("server.pem"), key: read("server-key.pem"), ca: read("ca.pem"), requestCert: true },
      (_, response) => response.end("ok\n"),
    );
    port = await new Promise((resolve) =>
      server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)),
    );
  });
  afterAll(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("is printed as https:// when it serves TLS, as http:// when it does not say so", () => {
    expect(appUrl({ protocol: "http", port: 8081, tls: true }, true)).toBe("https://localhost:8081");
    expect(appUrl({ protocol: "http", port: 8080 }, true)).toBe("http://localhost:8080");
    expect(appUrl({ protocol: "grpc", port: 50051 }, true)).toBe("grpcs://localhost:50051");
    expect(appUrl({ protocol: "http", port: 8081, tls: true }, false)).toBe("http://localhost:8081");
  });

  it("gives each service its own client certificate, naming it, and nothing to an app without one", () => {
    const certificates = devCertificates(dir);
    const env = certificates.clientEnvOf("user-service");
    expect(env).toEqual({
      TLS_CLIENT_CERT_FILE: join(dir, "user-service-client.pem"),
      TLS_CLIENT_KEY_FILE: join(dir, "user-service-client-key.pem"),
    });
    const san = execFileSync("openssl", [
      "x509",
      "-in",
      env.TLS_CLIENT_CERT_FILE!,
      "-noout",
      "-ext",
      "subjectAltName",
    ]);
    expect(san.toString()).toContain("URI:spiffe://switchboard/user-service");
    expect(certificates.clientEnvOf("no-such-app")).toEqual({});
  });

  it("is healthy once GET /healthz answers over mutual TLS", async () => {
    const client = devCertificates(dir).client;
    await waitHealthy({ name: "gateway", protocol: "http", port }, 5_000, client);
    await expect(waitHealthy({ name: "gateway", protocol: "http", port }, 600)).rejects.toThrow(
      /did not become healthy/,
    );
  });
});
