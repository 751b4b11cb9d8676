import { Code } from "@connectrpc/connect";
import { EchoService } from "@switchboard/proto/switchboard/echo/v1/echo_pb.js";
import { callError, collect, devCertificates, testTokens } from "@switchboard/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createServiceClient } from "../src/grpc-client.js";
import { clientTlsFromFiles, serverTlsFromFiles } from "../src/tls-files.js";
import { serveWithAuth } from "./auth-server.js";
import { transport } from "./server-under-test.js";

const tokens = testTokens();
let certs: ReturnType<typeof devCertificates>;
beforeAll(() => {
  certs = devCertificates();
});
afterAll(() => certs?.remove());
const file = (name: string) => certs.file(name);

const closing: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closing.splice(0).map((close) => close()));
});

/** A mutual-TLS server where user-service may call Echo (only) without a token. */
async function serveMutualTls() {
  const tls = serverTlsFromFiles({
    TLS_CERT_FILE: file("server.pem"),
    TLS_KEY_FILE: file("server-key.pem"),
    TLS_CA_FILE: file("ca.pem"),
  });
  const served = await serveWithAuth(
    { verifier: tokens.verifier, servicePeers: { "user-service": ["switchboard.echo.v1.EchoService/Echo"] } },
    tls,
  );
  closing.push(() => served.server.shutdown());
  return served;
}

/** A client presenting `certificate` (e.g. "user-service-client"), its TLS read as a service reads it. */
function clientAs(port: number, certificate: string, token?: () => Promise<string>) {
  const tls = clientTlsFromFiles({
    TLS_CERT_FILE: file("server.pem"),
    TLS_KEY_FILE: file("server-key.pem"),
    TLS_CA_FILE: file("ca.pem"),
    TLS_CLIENT_CERT_FILE: file(`${certificate}.pem`),
    TLS_CLIENT_KEY_FILE: file(`${certificate}-key.pem`),
  });
  return createServiceClient(EchoService, {
    baseUrl: `https://localhost:${port}`,
    tls: tls!,
    maxAttempts: 1,
    ...(token ? { token } : {}),
  });
}

describe(`service identity from client certificates under mutual TLS (${transport})`, () => {
  it("admits a service's certificate for the rpcs listed for it, as that service", async () => {
    const { port, seen } = await serveMutualTls();
    expect((await clientAs(port, "user-service-client").echo({ text: "upload" })).text).toBe("upload");
    expect(seen.callers).toEqual([{ kind: "service", service: "user-service" }]);
  });

  it("wants a token for an rpc not listed for that service", async () => {
    const { port } = await serveMutualTls();
    const error = await callError(
      collect(clientAs(port, "user-service-client").echoMany({ text: "x", count: 1 })),
    );
    expect(error.code).toBe(Code.Unauthenticated);
  });

  it("wants a token from a service with no rpcs listed, and from a certificate naming no service", async () => {
    const { port, seen } = await serveMutualTls();
    for (const certificate of ["image-service-client", "client", "server"]) {
      const error = await callError(clientAs(port, certificate).echo({ text: "x" }));
      expect(error.code, certificate).toBe(Code.Unauthenticated);
    }
    expect(seen.callers).toEqual([]);
  });

  it("a token, when sent, decides the caller even with a service certificate", async () => {
    const { port, seen } = await serveMutualTls();
    const client = clientAs(port, "user-service-client", () => tokens.user("u-1"));
    await client.echo({ text: "as the user" });
    expect(seen.callers).toEqual([{ kind: "user", userId: "u-1", roles: ["user"] }]);
    const badToken = clientAs(port, "user-service-client", async () => "not-a-jwt");
    expect((await callError(badToken.echo({ text: "x" }))).code).toBe(Code.Unauthenticated);
  });
});
