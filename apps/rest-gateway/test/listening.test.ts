import { createHash, randomUUID } from "node:crypto";
import { request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { create } from "@bufbuild/protobuf";
import { timestampNow } from "@bufbuild/protobuf/wkt";
import { createClient } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-web";
import { NotificationSchema } from "@switchboard/proto/switchboard/notification/v1/notification_pb.js";
import { UserService } from "@switchboard/proto/switchboard/user/v1/user_service_pb.js";
import { bearerToken } from "@switchboard/runtime";
import { pngOf } from "@switchboard/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Services, startGateway, startServices } from "./backends.js";
import { logInAdmin, type Person } from "./people.js";

let services: Services;
let gateway: Awaited<ReturnType<typeof startGateway>>;
let base: string;
let admin: Person;
beforeAll(async () => {
  services = await startServices();
  gateway = await startGateway(services.urls, { sseHeartbeatMs: 200, sseMaxPerClient: 2 });
  await gateway.app.listen({ port: 0, host: "127.0.0.1" });
  base = `http://127.0.0.1:${(gateway.app.server.address() as AddressInfo).port}`;
  admin = await logInAdmin(gateway.app);
}, 120_000);

/**
 * fetch as the admin: these tests are about the transport (streams, ranges, events) for owners
 * they make up, which only an admin may name; who may do what is access.test.ts.
 */
const authed: typeof fetch = (input, init = {}) =>
  fetch(input, { ...init, headers: { ...admin.auth, ...(init.headers as Record<string, string>) } });
afterAll(async () => {
  await gateway?.app.close();
  await services?.close();
});

// biome-ignore lint/suspicious/noExplicitAny: JSON answers, checked field by field
const body = async (response: Response): Promise<any> => response.json();
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

async function upload(png: Uint8Array, owner: string = randomUUID()) {
  const form = new FormData();
  form.set("ownerId", owner);
  form.set("file", new Blob([png], { type: "image/png" }), "a.png");
  const response = await authed(`${base}/v1/images`, { method: "POST", body: form });
  expect(response.status, await response.clone().text()).toBe(201);
  return (await body(response)).image as { id: string; sha256: string; sizeBytes: string };
}

describe("images", () => {
  it("multipart upload → download is byte-identical, with Content-Type, Content-Length, ETag and Cache-Control", async () => {
    const png = pngOf(300, 200, true);
    const image = await upload(png);
    expect(image.sha256).toBe(sha256(png));
    const response = await authed(`${base}/v1/images/${image.id}:download`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("image/png");
    expect(response.headers.get("content-length")).toBe(String(png.length));
    expect(response.headers.get("etag")).toBe(`"${sha256(png)}"`);
    expect(response.headers.get("cache-control")).toMatch(/max-age/);
    expect(Buffer.from(await response.arrayBuffer()).equals(Buffer.from(png))).toBe(true);
  });

  it("a raw image/* body works too, with the metadata in the query", async () => {
    const png = pngOf(20, 20);
    const owner = randomUUID();
    const response = await authed(`${base}/v1/images?ownerId=${owner}&filename=raw.png`, {
      method: "POST",
      headers: { "content-type": "image/png" },
      body: png,
    });
    expect(response.status, await response.clone().text()).toBe(201);
    expect((await body(response)).image).toMatchObject({
      ownerId: owner,
      filename: "raw.png",
      sha256: sha256(png),
    });
  });

  it("If-None-Match with the ETag → 304 without bytes; Range → 206 with exactly those bytes; past the end → 416", async () => {
    const png = pngOf(100, 100, true);
    const image = await upload(png);
    const url = `${base}/v1/images/${image.id}:download`;
    const cached = await authed(url, { headers: { "if-none-match": `"${image.sha256}"` } });
    expect(cached.status).toBe(304);
    const part = await authed(url, { headers: { range: "bytes=100-1099" } });
    expect(part.status).toBe(206);
    expect(part.headers.get("content-range")).toBe(`bytes 100-1099/${png.length}`);
    expect(Buffer.from(await part.arrayBuffer()).equals(Buffer.from(png.subarray(100, 1100)))).toBe(true);
    const tail = await authed(url, { headers: { range: "bytes=-10" } });
    expect(Buffer.from(await tail.arrayBuffer()).equals(Buffer.from(png.subarray(png.length - 10)))).toBe(
      true,
    );
    const past = await authed(url, { headers: { range: `bytes=${png.length}-` } });
    expect(past.status).toBe(416);
    expect((await body(past)).code).toBe(11);
  });

  it("If-Match names the bytes to send: another ETag or a weak one → 412 FAILED_PRECONDITION; If-Range with another ETag sends everything", async () => {
    const png = pngOf(60, 60, true);
    const image = await upload(png);
    const url = `${base}/v1/images/${image.id}:download`;
    const etag = `"${image.sha256}"`;
    const other = `"${"0".repeat(64)}"`;

    const matching = await authed(url, { headers: { "if-match": `${other}, ${etag}` } });
    expect(matching.status).toBe(200);
    expect(Buffer.from(await matching.arrayBuffer()).equals(Buffer.from(png))).toBe(true);
    expect((await authed(url, { headers: { "if-match": "*" } })).status).toBe(200);

    for (const ifMatch of [other, `W/${etag}`]) {
      const refused = await authed(url, { headers: { "if-match": ifMatch } });
      expect(refused.status, ifMatch).toBe(412);
      expect(refused.headers.get("etag")).toBe(etag);
      expect(refused.headers.get("content-type")).toMatch(/^application\/json/);
      expect(await body(refused)).toMatchObject({ code: 9, message: expect.stringContaining("If-Match") });
    }

    const stale = await authed(url, { headers: { range: "bytes=0-9", "if-range": other } });
    expect(stale.status).toBe(200);
    expect(Buffer.from(await stale.arrayBuffer()).equals(Buffer.from(png))).toBe(true);
    const fresh = await authed(url, { headers: { range: "bytes=0-9", "if-range": etag } });
    expect(fresh.status).toBe(206);
    expect(Buffer.from(await fresh.arrayBuffer()).equals(Buffer.from(png.subarray(0, 10)))).toBe(true);
  });

  it("GET /v1/images lists an owner's images and GET /v1/images/{id} reads one; POST :process makes a variant", async () => {
    const owner = randomUUID();
    const image = await upload(pngOf(64, 64), owner);
    const list = await body(await authed(`${base}/v1/images?ownerId=${owner}`));
    expect(list.images.map((i: { id: string }) => i.id)).toContain(image.id);
    const one = await body(await authed(`${base}/v1/images/${image.id}`));
    expect(one.image.id).toBe(image.id);
    const processed = await authed(`${base}/v1/images/${image.id}:process`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ operations: [{ grayscale: {} }] }),
    });
    expect(processed.status, await processed.clone().text()).toBe(200);
    expect((await body(processed)).variant.imageId).toBe(image.id);
  });
});

/** Reads server-sent events until `count` notification events arrived (or the stream ends). */
async function readEvents(response: Response, count: number) {
  const events: { id: string; event: string; data: string }[] = [];
  let heartbeats = 0;
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  while (events.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let end = buffer.indexOf("\n\n");
    while (end >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (block.startsWith(": heartbeat")) heartbeats++;
      const fields = Object.fromEntries(
        block.split("\n").map((line) => [line.split(": ")[0], line.slice(line.indexOf(": ") + 2)]),
      );
      if (fields.event) events.push(fields as { id: string; event: string; data: string });
      end = buffer.indexOf("\n\n");
    }
  }
  await reader.cancel();
  return { events, heartbeats };
}

describe("server-sent events", () => {
  const send = async (userId: string, title: string) => {
    const response = await authed(`${base}/v1/notifications`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ userId, title, body: "hi" }),
    });
    expect(response.status, await response.clone().text()).toBe(200);
    return (await body(response)).notification as { id: string };
  };

  it("streams live notifications as `notification` events with the notification id, with heartbeats", async () => {
    const userId = randomUUID();
    const response = await authed(`${base}/v1/users/${userId}/notifications:subscribe`);
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const liveId = randomUUID();
    const live = create(NotificationSchema, {
      id: liveId,
      userId,
      title: "Live",
      createTime: timestampNow(),
    });
    setTimeout(() => services.hub.publish(live), 500); // after a heartbeat or two
    const { events, heartbeats } = await readEvents(response, 1);
    expect(events[0]).toMatchObject({ id: liveId, event: "notification" });
    expect(JSON.parse(events[0]!.data)).toMatchObject({ userId, title: "Live" });
    expect(heartbeats).toBeGreaterThan(0);
  });

  it("resumes after Last-Event-ID from history: a reconnecting client gets what it missed, oldest first", async () => {
    const userId = randomUUID();
    const first = await send(userId, "one");
    await send(userId, "two");
    await send(userId, "three");
    const response = await authed(`${base}/v1/users/${userId}/notifications:subscribe`, {
      headers: { "last-event-id": first.id },
    });
    const { events } = await readEvents(response, 2);
    expect(events.map((e) => JSON.parse(e.data).title)).toEqual(["two", "three"]);
  });

  it("caps concurrent streams per client with 429", async () => {
    const userId = randomUUID();
    const controllers = [new AbortController(), new AbortController()];
    const open = await Promise.all(
      controllers.map((c) =>
        authed(`${base}/v1/users/${userId}/notifications:subscribe`, { signal: c.signal }),
      ),
    );
    expect(open.map((r) => r.status)).toEqual([200, 200]);
    const third = await authed(`${base}/v1/users/${userId}/notifications:subscribe`);
    expect(third.status).toBe(429);
    expect((await body(third)).code).toBe(8);
    for (const c of controllers) c.abort();
  });
});

describe("Connect and gRPC-Web on the same port", () => {
  it("answers Connect JSON (what curl sends) and a gRPC-Web client from @connectrpc/connect-web", async () => {
    const created = await authed(`${base}/v1/users`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "Web", email: `web.${Date.now()}@example.com` }),
    });
    const { user } = await body(created);
    const connect = await authed(`${base}/switchboard.user.v1.UserService/GetUser`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ id: user.id }),
    });
    expect(connect.status).toBe(200);
    expect((await body(connect)).user.name).toBe("Web");

    const client = createClient(
      UserService,
      createGrpcWebTransport({ baseUrl: base, interceptors: [bearerToken(() => admin.token)] }),
    );
    expect((await client.getUser({ id: user.id })).user?.name).toBe("Web");
    const listed = [];
    for await (const message of client.listUsers({ query: "Web", pageSize: 1 })) listed.push(message);
    expect(listed).toHaveLength(1);
  });
});

describe("paths", () => {
  it("refuses '..' segments (sent raw, as curl --path-as-is does) with 400", async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const { hostname, port } = new URL(base);
      const req = httpRequest({ hostname, port, path: "/v1/users/%2e%2e/x" }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      req.end();
    });
    expect(status).toBe(400);
  });
});
