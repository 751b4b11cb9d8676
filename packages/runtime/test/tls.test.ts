import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import * as grpc from "@grpc/grpc-js";
import { EchoRequestSchema, EchoService } from "@switchboard/proto/switchboard/echo/v1/echo_pb.js";
import { callError, grpcJsClient, memoryLogger, repoRoot, unary } from "@switchboard/testing";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createServiceClient } from "../src/grpc-client.js";
import type { ServerTls } from "../src/grpc-server.js";
import { clientTlsFromFiles, serverTlsFromFiles } from "../src/tls-files.js";
import { echoService } from "./echo-service.js";
import { ServerUnderTest } from "./server-under-test.js";

let certs: Record<"ca" | "cert" | "key" | "clientCert" | "clientKey", Buffer>;
let certDir: string;
beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), "switchboard-certs-"));
  certDir = dir;
  execFileSync("bash", [join(repoRoot(), "scripts", "dev-certs.sh"), dir], { stdio: "ignore" });
  const read = (name: string) => readFileSync(join(dir, name));
  certs = {
    ca: read("ca.pem"),
    cert: read("server.pem"),
    key: read("server-key.pem"),
    clientCert: read("client.pem"),
    clientKey: read("client-key.pem"),
  };
});

const running: ServerUnderTest[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.shutdown()));
});

async function serveTls(tls: ServerTls): Promise<number> {
  const server = new ServerUnderTest({
    logger: memoryLogger().logger,
    tls,
    routes: (router) => router.service(EchoService, echoService),
  });
  running.push(server);
  return server.listen(0, "127.0.0.1");
}

describe("TLS", () => {
  it("serves TLS to a client that trusts the CA (Connect and grpc-js)", async () => {
    const port = await serveTls({ cert: certs.cert, key: certs.key });
    const client = createServiceClient(EchoService, {
      baseUrl: `https://localhost:${port}`,
      tls: { ca: certs.ca },
    });
    expect((await client.echo({ text: "secure" })).text).toBe("secure");
    const stock = grpcJsClient(EchoService, `localhost:${port}`, {}, grpc.credentials.createSsl(certs.ca));
    expect(
      await unary<{ text: string }>(stock, "Echo", create(EchoRequestSchema, { text: "stock" })),
    ).toEqual(expect.objectContaining({ text: "stock" }));
    stock.close();
  });

  it("refuses a client that does not trust the server's CA", async () => {
    const port = await serveTls({ cert: certs.cert, key: certs.key });
    const client = createServiceClient(EchoService, { baseUrl: `https://localhost:${port}`, maxAttempts: 1 });
    const error = await callError(client.echo({ text: "who are you" }));
    // connect-node reports a failed handshake as INTERNAL, with OpenSSL's reason.
    expect(error).toMatchObject({ code: Code.Internal, rawMessage: expect.stringMatching(/certificate/) });
  });

  it("under mutual TLS, serves a client with a certificate and refuses one without", async () => {
    const port = await serveTls({ cert: certs.cert, key: certs.key, ca: certs.ca });
    const baseUrl = `https://localhost:${port}`;
    const withCert = createServiceClient(EchoService, {
      baseUrl,
      tls: { ca: certs.ca, cert: certs.clientCert, key: certs.clientKey },
    });
    expect((await withCert.echo({ text: "mutual" })).text).toBe("mutual");
    const withoutCert = createServiceClient(EchoService, { baseUrl, tls: { ca: certs.ca }, maxAttempts: 1 });
    const error = await callError(withoutCert.echo({ text: "anonymous" }));
    // connect-node reports a failed handshake as INTERNAL, with OpenSSL's reason.
    expect(error).toMatchObject({ code: Code.Internal, rawMessage: expect.stringMatching(/certificate/) });
  });
});

describe("TLS from the files a service's config names", () => {
  const file = (name: string) => join(certDir, name);

  it("serves mutual TLS from TLS_CERT_FILE, TLS_KEY_FILE and TLS_CA_FILE, to a client whose TLS comes the same way", async () => {
    const tls = serverTlsFromFiles({
      TLS_CERT_FILE: file("server.pem"),
      TLS_KEY_FILE: file("server-key.pem"),
      TLS_CA_FILE: file("ca.pem"),
    });
    const port = await serveTls(tls!);
    const clientTls = clientTlsFromFiles({
      TLS_CERT_FILE: file("client.pem"),
      TLS_KEY_FILE: file("client-key.pem"),
      TLS_CA_FILE: file("ca.pem"),
    });
    const client = createServiceClient(EchoService, {
      baseUrl: `https://localhost:${port}`,
      tls: clientTls!,
    });
    expect((await client.echo({ text: "from files" })).text).toBe("from files");
    const caOnly = clientTlsFromFiles({ TLS_CA_FILE: file("ca.pem") });
    const refused = createServiceClient(EchoService, {
      baseUrl: `https://localhost:${port}`,
      tls: caOnly!,
      maxAttempts: 1,
    });
    expect((await callError(refused.echo({ text: "no certificate" }))).code).toBe(Code.Internal);
  });

  it("means plaintext with no files, and refuses a certificate without its key", () => {
    expect(serverTlsFromFiles({})).toBeUndefined();
    expect(clientTlsFromFiles({})).toBeUndefined();
    expect(() => serverTlsFromFiles({ TLS_CERT_FILE: file("server.pem") })).toThrow(/go together/);
    expect(() =>
      clientTlsFromFiles({
        TLS_CA_FILE: file("ca.pem"),
        TLS_CLIENT_CERT_FILE: file("user-service-client.pem"),
      }),
    ).toThrow(/go together/);
  });
});
