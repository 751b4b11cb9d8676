import type { AddressInfo } from "node:net";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { UserService } from "@switchboard/proto/switchboard/user/v1/user_service_pb.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway } from "./backends.js";
import {
  ALLOWED_TOKEN,
  FORBIDDEN_TOKEN,
  IMAGE_ID,
  type Received,
  startRecordingBackend,
  USER_ID,
} from "./recording-backend.js";

let backend: Awaited<ReturnType<typeof startRecordingBackend>>;
let gateway: Awaited<ReturnType<typeof startGateway>>;
beforeAll(async () => {
  backend = await startRecordingBackend();
  gateway = await startGateway(backend.urls);
});
afterAll(async () => {
  await gateway?.app.close();
  await backend?.close();
});

/** A client that claims to be someone else: the gateway must not pass that on. */
const SPOOFED = "203.0.113.66";
const CLIENT = "198.51.100.7";

/** Every kind of route the gateway serves, each as one request. */
const paths = () => {
  const [user, image] = [USER_ID, IMAGE_ID];
  const multipart = `--b\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\nContent-Type: image/png\r\n\r\nPNG\r\n--b--\r\n`;
  return [
    { rpc: "GetUser", method: "GET", url: `/v1/users/${user}` },
    { rpc: "ListUsers", method: "GET", url: "/v1/users?pageSize=1" },
    { rpc: "GetImage", method: "GET", url: `/v1/images/${image}` },
    { rpc: "DeleteImage", method: "DELETE", url: `/v1/images/${image}` },
    { rpc: "DownloadImage", method: "GET", url: `/v1/images/${image}:download` },
    {
      rpc: "UploadImage",
      method: "POST",
      url: "/v1/images",
      payload: multipart,
      contentType: "multipart/form-data; boundary=b",
    },
    { rpc: "ListNotifications", method: "GET", url: `/v1/users/${user}/notifications` },
    { rpc: "Subscribe", method: "GET", url: `/v1/users/${user}/notifications:subscribe` },
  ] as const;
};

async function send(path: ReturnType<typeof paths>[number], authorization?: string) {
  const headers: Record<string, string> = { "x-forwarded-for": SPOOFED };
  if (authorization) headers.authorization = authorization;
  if ("contentType" in path) headers["content-type"] = path.contentType;
  return gateway.app.inject({
    method: path.method,
    url: path.url,
    headers,
    remoteAddress: CLIENT,
    ...("payload" in path ? { payload: path.payload } : {}),
  });
}

const seen = (rpc: string): Received[] => backend.received.filter((r) => r.rpc === rpc);

describe("credentials are passed on unchanged on every path, and the backend's verdict comes back", () => {
  it.each(
    paths().map((p) => [p.rpc, p]),
  )("%s: the token as sent, the client's address", async (rpc, path) => {
    backend.received.length = 0;
    const response = await send(path, ALLOWED_TOKEN);
    expect(response.statusCode, response.body).toBeLessThan(300);
    expect(seen(rpc).length).toBeGreaterThan(0);
    // Every call the route made (the SSE history call, the download's GetImage) carries them.
    for (const call of backend.received)
      expect(call).toMatchObject({ authorization: ALLOWED_TOKEN, forwardedFor: CLIENT });
  });

  it.each(
    paths().map((p) => [p.rpc, p]),
  )("%s: no token → 401 with WWW-Authenticate: Bearer", async (_, path) => {
    const response = await send(path);
    expect(response.statusCode).toBe(401);
    expect(response.headers["www-authenticate"]).toBe('Bearer realm="switchboard"');
    expect(response.json()).toMatchObject({ code: 16, message: "missing bearer token" });
  });

  it.each(paths().map((p) => [p.rpc, p]))("%s: a refused token → 401 invalid_token", async (_, path) => {
    const response = await send(path, "Bearer not.a.token");
    expect(response.statusCode).toBe(401);
    expect(response.headers["www-authenticate"]).toBe('Bearer realm="switchboard", error="invalid_token"');
  });

  it.each(
    paths().map((p) => [p.rpc, p]),
  )("%s: PERMISSION_DENIED → 403 as google.rpc.Status", async (_, path) => {
    const response = await send(path, FORBIDDEN_TOKEN);
    expect(response.statusCode).toBe(403);
    expect(response.headers["www-authenticate"]).toBeUndefined();
    expect(response.json()).toEqual({ code: 7, message: "not yours", details: [] });
  });

  it("GET /.well-known/jwks.json is AuthService.GetJwks, served without a token", async () => {
    const response = await gateway.app.inject({ method: "GET", url: "/.well-known/jwks.json" });
    expect(response.statusCode).toBe(200);
    expect(response.json().keys[0]).toMatchObject({ kid: "k1", alg: "ES256" });
    const other = await gateway.app.inject({ method: "GET", url: "/.well-known/other" });
    expect([other.statusCode, other.json().code]).toEqual([404, 5]);
  });

  it("POST /v1/auth/login answers with the tokens object itself (response_body)", async () => {
    const response = await gateway.app.inject({
      method: "POST",
      url: "/v1/auth/login",
      headers: { "content-type": "application/json" },
      payload: { email: "a@example.com", password: "pw" },
      remoteAddress: CLIENT,
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({
      accessToken: "a.b.c",
      tokenType: "Bearer",
      expiresIn: 900,
      subject: USER_ID,
    });
    // The login rate limit is per client: user-service sees the client's address.
    expect(seen("Login").at(-1)).toMatchObject({ forwardedFor: CLIENT, authorization: null });
  });

  it("the Connect proxy passes the token and the client's address on too, and maps the verdicts", async () => {
    await gateway.app.listen({ port: 0, host: "127.0.0.1" });
    const baseUrl = `http://127.0.0.1:${(gateway.app.server.address() as AddressInfo).port}`;
    const client = (authorization?: string) =>
      createClient(
        UserService,
        createConnectTransport({
          baseUrl,
          httpVersion: "1.1",
          interceptors: [
            (next) => (request) => {
              if (authorization) request.header.set("authorization", authorization);
              request.header.set("x-forwarded-for", SPOOFED);
              return next(request);
            },
          ],
        }),
      );
    backend.received.length = 0;
    const { user } = await client(ALLOWED_TOKEN).getUser({ id: USER_ID });
    expect(user?.name).toBe("Rec");
    expect(seen("GetUser")).toEqual([
      { rpc: "GetUser", authorization: ALLOWED_TOKEN, forwardedFor: "127.0.0.1" },
    ]);
    await expect(client().getUser({ id: USER_ID })).rejects.toMatchObject({ code: 16 });
    await expect(client(FORBIDDEN_TOKEN).getUser({ id: USER_ID })).rejects.toMatchObject({
      code: 7,
    });
  });
});
