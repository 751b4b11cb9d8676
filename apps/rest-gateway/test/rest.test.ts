import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Services, startGateway, startServices } from "./backends.js";
import { type Auth, email, logIn, logInAdmin } from "./people.js";

let services: Services;
let gateway: Awaited<ReturnType<typeof startGateway>>;
let admin: Auth;
beforeAll(async () => {
  services = await startServices();
  gateway = await startGateway(services.urls);
  admin = (await logInAdmin(gateway.app)).auth;
}, 120_000);
afterAll(async () => {
  await gateway?.app.close();
  await services?.close();
});

const json = (body: unknown, auth: Partial<Auth> = {}) => ({
  headers: { "content-type": "application/json", ...auth },
  payload: JSON.stringify(body),
});

/** Signs up (no token needed) with a password; `auth` is the new user's, from a real login. */
async function createUser(name = "Ana") {
  const password = `pw-${crypto.randomUUID()}`;
  const response = await gateway.app.inject({
    method: "POST",
    url: "/v1/users",
    ...json({ name, email: email(name), password }),
  });
  expect(response.statusCode, response.body).toBe(200);
  const user = response.json().user as { id: string; name: string; email: string; version: string };
  const auth: Auth = { authorization: `Bearer ${await logIn(gateway.app, user.email, password)}` };
  return { ...user, auth };
}

describe("users over REST", () => {
  it("POST /v1/users creates a user without a requestId; the answer is proto3 JSON in camelCase", async () => {
    const user = await createUser("Ana");
    expect(user).toMatchObject({ name: "Ana", version: "1" });
    expect(Object.keys(user)).toContain("createTime");
    expect(Object.keys(user)).not.toContain("password");
  });

  it("GET /v1/users/{id} reads it; PATCH changes only the fields the body names; DELETE removes it", async () => {
    const user = await createUser("Bea");
    const got = await gateway.app.inject({ method: "GET", url: `/v1/users/${user.id}`, headers: user.auth });
    expect(got.json().user.email).toBe(user.email);

    const patched = await gateway.app.inject({
      method: "PATCH",
      url: `/v1/users/${user.id}`,
      ...json({ name: "Beatriz" }, user.auth),
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json().user).toMatchObject({ name: "Beatriz", email: user.email, version: "2" });

    const stale = await gateway.app.inject({
      method: "PATCH",
      url: `/v1/users/${user.id}?updateMask=name&expectedVersion=1`,
      ...json({ name: "Old" }, user.auth),
    });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().code).toBe(10); // ABORTED

    const deleted = await gateway.app.inject({
      method: "DELETE",
      url: `/v1/users/${user.id}`,
      headers: user.auth,
    });
    expect(deleted.statusCode).toBe(200);
    const gone = await gateway.app.inject({ method: "GET", url: `/v1/users/${user.id}`, headers: admin });
    expect(gone.statusCode).toBe(404);
    expect(gone.json()).toMatchObject({ code: 5, details: [] });
  });

  it("GET /v1/users lists one page with a nextPageToken that fetches the next", async () => {
    const prefix = `Pager${Date.now().toString(36)}`;
    for (let i = 0; i < 3; i++) await createUser(`${prefix} ${i}`);
    const first = await gateway.app.inject({
      method: "GET",
      url: `/v1/users?query=${prefix}&pageSize=2`,
      headers: admin,
    });
    expect(first.json().users).toHaveLength(2);
    const token = first.json().nextPageToken;
    expect(token).toBeTruthy();
    const second = await gateway.app.inject({
      method: "GET",
      url: `/v1/users?query=${prefix}&pageSize=2&pageToken=${encodeURIComponent(token)}`,
      headers: admin,
    });
    expect(second.json()).toMatchObject({ users: [expect.anything()], nextPageToken: "" });
  });
});

describe("errors are google.rpc.Status JSON with grpc-gateway's HTTP status", () => {
  it("the service's INVALID_ARGUMENT → 400 with its BadRequest field violations", async () => {
    const response = await gateway.app.inject({ method: "GET", url: "/v1/users/not-a-uuid", headers: admin });
    expect(response.statusCode).toBe(400);
    expect(response.headers["content-type"]).toMatch(/application\/json/);
    expect(response.json()).toMatchObject({
      code: 3,
      details: [{ "@type": "type.googleapis.com/google.rpc.BadRequest", fieldViolations: [{ field: "id" }] }],
    });
  });

  it("an unknown query parameter or body field → 400 with a field violation naming it", async () => {
    const query = await gateway.app.inject({ method: "GET", url: "/v1/users?colour=red", headers: admin });
    expect(query.statusCode).toBe(400);
    expect(query.json().details[0].fieldViolations).toEqual([
      { field: "colour", description: "unknown query parameter" },
    ]);
    const body = await gateway.app.inject({
      method: "POST",
      url: "/v1/users",
      ...json({ name: "X", colour: "red" }),
    });
    expect(body.statusCode).toBe(400);
    expect(body.json().details[0].fieldViolations[0].field).toBe("colour");
  });

  it("unknown route 404, wrong method 405 with Allow", async () => {
    const missing = await gateway.app.inject({ method: "GET", url: "/v1/nothing" });
    expect([missing.statusCode, missing.json().code]).toEqual([404, 5]);
    const outside = await gateway.app.inject({ method: "GET", url: "/nowhere" });
    expect([outside.statusCode, outside.json().code]).toEqual([404, 5]);
    const wrong = await gateway.app.inject({ method: "PUT", url: "/v1/users/abc" });
    expect(wrong.statusCode).toBe(405);
    expect(wrong.headers.allow?.toString().split(", ").sort()).toEqual(["DELETE", "GET", "PATCH"]);
    expect(wrong.json().code).toBe(12);
    // ".." is refused too: see listening.test.ts (inject normalizes such URLs before the gateway sees them)
  });

  it("malformed JSON 400, wrong content type 415, a body over the limit 413 — all as Status JSON", async () => {
    const malformed = await gateway.app.inject({
      method: "POST",
      url: "/v1/users",
      headers: { "content-type": "application/json" },
      payload: '{"name": ',
    });
    expect([malformed.statusCode, malformed.json().code]).toEqual([400, 3]);
    // JSON, but not an object: `null` is not "no body", even for a request with no fields.
    for (const url of ["/v1/users", "/v1/auth/mqtt-credentials"]) {
      const notObject = await gateway.app.inject({
        method: "POST",
        url,
        headers: { "content-type": "application/json", ...admin },
        payload: "null",
      });
      expect([url, notObject.statusCode, notObject.json().code]).toEqual([url, 400, 3]);
    }
    const text = await gateway.app.inject({
      method: "POST",
      url: "/v1/users",
      headers: { "content-type": "text/plain" },
      payload: "hello",
    });
    expect([text.statusCode, text.json().code]).toEqual([415, 3]);
    const noBoundary = await gateway.app.inject({
      method: "POST",
      url: "/v1/images",
      headers: { "content-type": "multipart/form-data" },
      payload: "x",
    });
    expect([noBoundary.statusCode, noBoundary.json().code]).toEqual([400, 3]);
    const big = await gateway.app.inject({
      method: "POST",
      url: "/v1/users",
      ...json({ name: "x".repeat(2 * 1024 * 1024) }),
    });
    expect([big.statusCode, big.json().code]).toEqual([413, 8]);
  });
});

describe("request ids and trace context", () => {
  it("echoes a given X-Request-Id, makes one when absent, and sends both on to the service with traceparent", async () => {
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const given = await gateway.app.inject({
      method: "GET",
      url: "/v1/users?pageSize=1",
      headers: { ...admin, "x-request-id": "req-123", traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    });
    expect(given.headers["x-request-id"]).toBe("req-123");
    const made = await gateway.app.inject({ method: "GET", url: "/v1/users?pageSize=1" });
    expect(made.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    const line = services.userLog.find((l) => l.requestId === "req-123");
    expect(line).toMatchObject({ rpc: "switchboard.user.v1.UserService/ListUsers", traceId });
  });
});

describe("health", () => {
  it("/healthz is alive and /readyz names every backend SERVING", async () => {
    expect((await gateway.app.inject({ method: "GET", url: "/healthz" })).statusCode).toBe(200);
    const ready = await gateway.app.inject({ method: "GET", url: "/readyz" });
    expect(ready.json()).toEqual({
      status: "SERVING",
      backends: { "user-service": "SERVING", "image-service": "SERVING", "notification-service": "SERVING" },
    });
  });
});
