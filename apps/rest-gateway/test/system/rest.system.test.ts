import { createHash } from "node:crypto";
import { createClient } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-web";
import { UserService } from "@switchboard/proto/switchboard/user/v1/user_service_pb.js";
import { bearerToken } from "@switchboard/runtime";
import { pngOf } from "@switchboard/testing";
import { describe, expect, it } from "vitest";
import { adminAuth, body, eventually, gatewayUrl, signUp } from "./system.js";

type Auth = Record<string, string>;
const url = (path: string) => `${gatewayUrl}${path}`;
const get = (path: string, auth: Auth, headers: Auth = {}) =>
  fetch(url(path), { headers: { ...auth, ...headers } });
const post = (path: string, json: unknown, auth: Auth = {}, method = "POST") =>
  fetch(url(path), {
    method,
    headers: { "content-type": "application/json", ...auth },
    body: JSON.stringify(json),
  });
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/** Reads server-sent events until `wanted` says stop (or the time runs out). */
async function sse(path: string, headers: Record<string, string>, wanted: (titles: string[]) => boolean) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 30_000);
  const response = await fetch(url(path), { headers, signal: controller.signal });
  expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
  const events: { id: string; data: { title: string; kind: string } }[] = [];
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  try {
    while (!wanted(events.map((e) => e.data.title))) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const id = /^id: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (id && data) events.push({ id, data: JSON.parse(data) });
      }
    }
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return events;
}

describe("REST against the running system", () => {
  it("signs up, logs in, then reads, patches and deletes itself; the admin lists users", async () => {
    const { user, auth } = await signUp("Sys");
    expect((await body(await get(`/v1/users/${user.id}`, auth))).user.id).toBe(user.id);
    const patched = await body(await post(`/v1/users/${user.id}`, { name: "Sys Two" }, auth, "PATCH"));
    expect(patched.user).toMatchObject({ name: "Sys Two", version: "2" });
    const list = await body(await get("/v1/users?query=Sys%20Two&pageSize=100", await adminAuth()));
    expect(list.users.map((u: { id: string }) => u.id)).toContain(user.id);
    expect((await fetch(url(`/v1/users/${user.id}`), { method: "DELETE", headers: auth })).status).toBe(200);
    expect((await get(`/v1/users/${user.id}`, await adminAuth())).status).toBe(404);
  });

  it("without a token: 401 with WWW-Authenticate; another user's data: 403", async () => {
    const a = await signUp("A");
    const b = await signUp("B");
    const anonymous = await fetch(url(`/v1/users/${a.user.id}`));
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect((await body(anonymous)).code).toBe(16);
    const other = await get(`/v1/users/${b.user.id}`, a.auth);
    expect(other.status).toBe(403);
    expect((await body(other)).code).toBe(7);
    expect((await get(`/v1/users/${b.user.id}/notifications`, a.auth)).status).toBe(403);
    expect((await get("/v1/users?pageSize=1", a.auth)).status).toBe(403);
    const jwks = await body(await fetch(url("/.well-known/jwks.json")));
    expect(jwks.keys[0]).toMatchObject({ kty: "EC", alg: "ES256" });
  });

  it("answers every error kind as google.rpc.Status JSON", async () => {
    const admin = await adminAuth();
    const cases: [Promise<Response>, number, number][] = [
      [get("/v1/users/not-a-uuid", admin), 400, 3],
      [get("/v1/users?colour=red", admin), 400, 3],
      [fetch(url("/v1/nothing")), 404, 5],
      [fetch(url("/v1/users/x"), { method: "PUT" }), 405, 12],
      [
        fetch(url("/v1/users"), {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: "{",
        }),
        400,
        3,
      ],
      [
        fetch(url("/v1/users"), { method: "POST", headers: { "content-type": "text/plain" }, body: "x" }),
        415,
        3,
      ],
      [post("/v1/users", { name: "x".repeat(2 * 1024 * 1024) }), 413, 8],
      [get(`/v1/users/${crypto.randomUUID()}`, admin), 404, 5],
    ];
    for (const [pending, http, code] of cases) {
      const response = await pending;
      expect(response.status).toBe(http);
      expect(response.headers.get("content-type")).toMatch(/^application\/json/);
      expect((await body(response)).code).toBe(code);
    }
  });

  it("uploads multipart and downloads the same bytes; ETag → 304; Range → 206", async () => {
    const { user, auth } = await signUp("Img");
    const png = pngOf(256, 256, true);
    const form = new FormData();
    form.set("file", new Blob([png], { type: "image/png" }), "sys.png");
    const uploaded = await fetch(url("/v1/images"), { method: "POST", body: form, headers: auth });
    expect(uploaded.status).toBe(201);
    const { image } = await body(uploaded);
    expect(image.ownerId).toBe(user.id); // no ownerId sent: the caller owns it
    const download = await get(`/v1/images/${image.id}:download`, auth);
    expect(Buffer.from(await download.arrayBuffer()).equals(Buffer.from(png))).toBe(true);
    expect(download.headers.get("etag")).toBe(`"${sha256(png)}"`);
    const cached = await get(`/v1/images/${image.id}:download`, auth, {
      "if-none-match": `"${sha256(png)}"`,
    });
    expect(cached.status).toBe(304);
    const range = await get(`/v1/images/${image.id}:download`, auth, { range: "bytes=10-19" });
    expect(range.status).toBe(206);
    expect(Buffer.from(await range.arrayBuffer()).equals(Buffer.from(png.subarray(10, 20)))).toBe(true);
    expect((await body(await get(`/v1/images/${image.id}`, auth))).image.sha256).toBe(sha256(png));
    const stranger = await signUp("Stranger");
    expect((await get(`/v1/images/${image.id}:download`, stranger.auth)).status).toBe(403);
    const deleted = await fetch(url(`/v1/images/${image.id}`), { method: "DELETE", headers: auth });
    expect(deleted.status).toBe(200);
    expect((await get(`/v1/images/${image.id}`, auth)).status).toBe(404);
  });

  it("an SSE client gets the welcome notification of a user it just created, and resumes with Last-Event-ID", async () => {
    const { user, auth } = await signUp("Eve");
    const path = `/v1/users/${user.id}/notifications:subscribe`;
    // The welcome comes through Kafka, notification-service and RabbitMQ; history or live, it arrives.
    const first = await sse(path, { ...auth, "last-event-id": "start" }, (titles) => titles.length >= 1);
    expect(first[0]?.data.kind).toBe("NOTIFICATION_KIND_WELCOME");
    const admin = await adminAuth(); // SendNotification: admin or service only
    await post("/v1/notifications", { userId: user.id, title: "after 1" }, admin);
    await post("/v1/notifications", { userId: user.id, title: "after 2" }, admin);
    await eventually(async () => {
      const list = await body(await get(`/v1/users/${user.id}/notifications`, auth));
      return list.notifications.length >= 3 ? true : undefined;
    });
    const resumed = await sse(
      path,
      { ...auth, "last-event-id": first[0]!.id },
      (titles) => titles.length >= 2,
    );
    expect(resumed.map((e) => e.data.title)).toEqual(["after 1", "after 2"]);
  });

  it("serves Connect JSON and gRPC-Web on the same port", async () => {
    const { user, auth, token } = await signUp("Con");
    const connect = await post("/switchboard.user.v1.UserService/GetUser", { id: user.id }, auth);
    expect((await body(connect)).user.name).toBe("Con");
    const web = createClient(
      UserService,
      createGrpcWebTransport({
        baseUrl: gatewayUrl,
        interceptors: [bearerToken(() => token)],
      }),
    );
    expect((await web.getUser({ id: user.id })).user?.name).toBe("Con");
    const anonymous = createClient(UserService, createGrpcWebTransport({ baseUrl: gatewayUrl }));
    await expect(anonymous.getUser({ id: user.id })).rejects.toMatchObject({ code: 16 });
  });

  it("is ready: every backend SERVING", async () => {
    expect(await body(await fetch(url("/readyz")))).toMatchObject({ status: "SERVING" });
  });
});
