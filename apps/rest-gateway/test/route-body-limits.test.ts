import { type AddressInfo, createServer } from "node:net";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { ImageService } from "@switchboard/proto/switchboard/image/v1/image_service_pb.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Services, startGateway, startServices } from "./backends.js";

let services: Services;
let gateway: Awaited<ReturnType<typeof startGateway>>;
let base: string;
beforeAll(async () => {
  services = await startServices();
  gateway = await startGateway(services.urls); // JSON_BODY_LIMIT 1 MiB; credentials routes 16 KiB
  await gateway.app.listen({ port: 0, host: "127.0.0.1" });
  base = `http://127.0.0.1:${(gateway.app.server.address() as AddressInfo).port}`;
}, 120_000);
afterAll(async () => {
  await gateway?.app.close();
  await services?.close();
});

const LOGIN_LIMIT = 16 * 1024; // route-limits.ts: Login, Refresh, Logout, ChangePassword

/** A login body of exactly `bytes` bytes (the password padded). */
function loginBody(bytes: number): string {
  const empty = JSON.stringify({ email: "nobody@example.com", password: "" });
  return JSON.stringify({ email: "nobody@example.com", password: "x".repeat(bytes - empty.length) });
}

const post = (url: string, payload: string) =>
  gateway.app.inject({ method: "POST", url, headers: { "content-type": "application/json" }, payload });

describe("per-route JSON body limits (route-limits.ts)", () => {
  it("cuts POST /v1/auth/login one byte over its 16 KiB with 413 and a google.rpc.Status; at the limit it reaches the backend", async () => {
    const over = await post("/v1/auth/login", loginBody(LOGIN_LIMIT + 1));
    expect(over.statusCode).toBe(413);
    expect(over.headers["content-type"]).toMatch(/^application\/json/);
    expect(over.json()).toEqual({ code: 8, message: expect.stringContaining(`${LOGIN_LIMIT}`), details: [] });
    const at = await post("/v1/auth/login", loginBody(LOGIN_LIMIT));
    // Read and transcoded: refused for what it says (the password rule), not for its size.
    expect(at.statusCode, at.body).toBe(400);
    expect(at.json().details[0].fieldViolations[0].field).toBe("password");
  });

  it("leaves a route without an entry at JSON_BODY_LIMIT: the same body is not too large for POST /v1/users", async () => {
    const body = JSON.stringify({ name: "Big", email: "big@example.com", bio: "x".repeat(LOGIN_LIMIT) });
    const response = await post("/v1/users", body);
    expect(response.statusCode, response.body).not.toBe(413);
    expect(response.json().code).toBe(3); // the unknown field "bio", said by the transcoder
  });

  it("cuts a body sent without Content-Length as it streams past the route's limit", async () => {
    const bytes = new TextEncoder().encode(loginBody(LOGIN_LIMIT + 4096));
    const response = await fetch(`${base}/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: new ReadableStream({
        start(controller) {
          for (let i = 0; i < bytes.length; i += 1024) controller.enqueue(bytes.subarray(i, i + 1024));
          controller.close();
        },
      }),
      duplex: "half",
    } as RequestInit);
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ code: 8, details: [] });
  });
});

describe("the Connect proxy's deadlines come from the same table", () => {
  it("sends each rpc's deadline when the client names none: unary CALL_TIMEOUT_MS, a download stream UPLOAD_TIMEOUT_MS", async () => {
    const silent = createServer(() => {}); // accepts connections, never answers
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as AddressInfo;
    const slow = await startGateway(
      { ...services.urls, image: `http://127.0.0.1:${port}` },
      { callTimeoutMs: 300, uploadTimeoutMs: 600 },
    );
    try {
      await slow.app.listen({ port: 0, host: "127.0.0.1" });
      const images = createClient(
        ImageService,
        createConnectTransport({
          baseUrl: `http://127.0.0.1:${(slow.app.server.address() as AddressInfo).port}`,
          httpVersion: "1.1",
        }),
      );
      const unary = await images.getImage({ imageId: crypto.randomUUID() }).catch((e) => e);
      expect(ConnectError.from(unary).code).toBe(Code.DeadlineExceeded);
      // A server stream had no deadline at all before the table reached the proxy: it hung.
      const stream = await (async () => {
        for await (const _ of images.downloadImage({ imageId: crypto.randomUUID() }));
      })().catch((e) => e);
      expect(ConnectError.from(stream).code).toBe(Code.DeadlineExceeded);
    } finally {
      await slow.app.close();
      silent.close();
    }
  });
});
