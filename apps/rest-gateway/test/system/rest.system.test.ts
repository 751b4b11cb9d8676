import { createHash } from "node:crypto";
import { createClient } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-web";
import { UserService } from "@switchboard/proto/switchboard/user/v1/user_service_pb.js";
import { pngOf } from "@switchboard/testing";
import { describe, expect, it } from "vitest";
import { body, eventually, gatewayUrl } from "./system.js";

const url = (path: string) => `${gatewayUrl}${path}`;
const post = (path: string, json: unknown, method = "POST") =>
  fetch(url(path), { method, headers: { "content-type": "application/json" }, body: JSON.stringify(json) });
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
let n = 0;
const newEmail = () => `rest.${Date.now().toString(36)}${n++}@example.com`;

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
  it("creates, reads, patches, lists and deletes a user", async () => {
    const created = await post("/v1/users", { name: "Sys", email: newEmail() });
    expect(created.status).toBe(200);
    const { user } = await body(created);
    expect((await body(await fetch(url(`/v1/users/${user.id}`)))).user.id).toBe(user.id);
    const patched = await body(await post(`/v1/users/${user.id}`, { name: "Sys Two" }, "PATCH"));
    expect(patched.user).toMatchObject({ name: "Sys Two", version: "2" });
    const list = await body(await fetch(url("/v1/users?query=Sys%20Two&pageSize=100")));
    expect(list.users.map((u: { id: string }) => u.id)).toContain(user.id);
    expect((await fetch(url(`/v1/users/${user.id}`), { method: "DELETE" })).status).toBe(200);
    expect((await fetch(url(`/v1/users/${user.id}`))).status).toBe(404);
  });

  it("answers every error kind as google.rpc.Status JSON", async () => {
    const cases: [Promise<Response>, number, number][] = [
      [fetch(url("/v1/users/not-a-uuid")), 400, 3],
      [fetch(url("/v1/users?colour=red")), 400, 3],
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
      [fetch(url(`/v1/users/${crypto.randomUUID()}`)), 404, 5],
    ];
    for (const [pending, http, code] of cases) {
      const response = await pending;
      expect(response.status).toBe(http);
      expect(response.headers.get("content-type")).toMatch(/^application\/json/);
      expect((await body(response)).code).toBe(code);
    }
  });

  it("uploads multipart and downloads the same bytes; ETag → 304; Range → 206", async () => {
    const png = pngOf(256, 256, true);
    const form = new FormData();
    form.set("ownerId", crypto.randomUUID());
    form.set("file", new Blob([png], { type: "image/png" }), "sys.png");
    const uploaded = await fetch(url("/v1/images"), { method: "POST", body: form });
    expect(uploaded.status).toBe(201);
    const { image } = await body(uploaded);
    const download = await fetch(url(`/v1/images/${image.id}:download`));
    expect(Buffer.from(await download.arrayBuffer()).equals(Buffer.from(png))).toBe(true);
    expect(download.headers.get("etag")).toBe(`"${sha256(png)}"`);
    const cached = await fetch(url(`/v1/images/${image.id}:download`), {
      headers: { "if-none-match": `"${sha256(png)}"` },
    });
    expect(cached.status).toBe(304);
    const range = await fetch(url(`/v1/images/${image.id}:download`), { headers: { range: "bytes=10-19" } });
    expect(range.status).toBe(206);
    expect(Buffer.from(await range.arrayBuffer()).equals(Buffer.from(png.subarray(10, 20)))).toBe(true);
    expect((await body(await fetch(url(`/v1/images/${image.id}`)))).image.sha256).toBe(sha256(png));
  });

  it("an SSE client gets the welcome notification of a user it just created, and resumes with Last-Event-ID", async () => {
    const { user } = await body(await post("/v1/users", { name: "Eve", email: newEmail() }));
    const path = `/v1/users/${user.id}/notifications:subscribe`;
    // The welcome comes through Kafka, notification-service and RabbitMQ; history or live, it arrives.
    const first = await sse(path, { "last-event-id": "start" }, (titles) => titles.length >= 1);
    expect(first[0]?.data.kind).toBe("NOTIFICATION_KIND_WELCOME");
    await post("/v1/notifications", { userId: user.id, title: "after 1" });
    await post("/v1/notifications", { userId: user.id, title: "after 2" });
    await eventually(async () => {
      const list = await body(await fetch(url(`/v1/users/${user.id}/notifications`)));
      return list.notifications.length >= 3 ? true : undefined;
    });
    const resumed = await sse(path, { "last-event-id": first[0]!.id }, (titles) => titles.length >= 2);
    expect(resumed.map((e) => e.data.title)).toEqual(["after 1", "after 2"]);
  });

  it("serves Connect JSON and gRPC-Web on the same port", async () => {
    const { user } = await body(await post("/v1/users", { name: "Con", email: newEmail() }));
    const connect = await post("/switchboard.user.v1.UserService/GetUser", { id: user.id });
    expect((await body(connect)).user.name).toBe("Con");
    const web = createClient(UserService, createGrpcWebTransport({ baseUrl: gatewayUrl }));
    expect((await web.getUser({ id: user.id })).user?.name).toBe("Con");
  });

  it("is ready: every backend SERVING", async () => {
    expect(await body(await fetch(url("/readyz")))).toMatchObject({ status: "SERVING" });
  });
});
