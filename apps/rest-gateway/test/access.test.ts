import type { AddressInfo } from "node:net";
import { pngOf } from "@switchboard/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Services, startGateway, startServices } from "./backends.js";
import { type Auth, logInAdmin, type Person, signUp } from "./people.js";

/**
 * Who may do what, over REST, against the real services (the gateway decides nothing: these are
 * the services' rules as a REST client meets them). Callers: the object's owner, another user, an
 * admin, and no token at all. Every row has an owner of its own (a fresh one per caller where the
 * action deletes), so rows never see each other's changes.
 */
let services: Services;
let gateway: Awaited<ReturnType<typeof startGateway>>;
let base: string;
let admin: Person;
let other: Person;
beforeAll(async () => {
  services = await startServices();
  gateway = await startGateway(services.urls);
  await gateway.app.listen({ port: 0, host: "127.0.0.1" });
  base = `http://127.0.0.1:${(gateway.app.server.address() as AddressInfo).port}`;
  admin = await logInAdmin(gateway.app);
  other = await signUp(gateway.app, "Other");
}, 120_000);
afterAll(async () => {
  await gateway?.app.close();
  await services?.close();
});

type Caller = "owner" | "other" | "admin" | "anonymous";
const CALLERS: Caller[] = ["owner", "other", "admin", "anonymous"];

/** What one row needs: the owner and its image. */
interface Scene {
  owner: Person;
  imageId: string;
}
type Request = (
  scene: Scene,
  caller: Caller,
) => { method?: string; path: string; json?: unknown; form?: FormData };

async function upload(auth: Auth, ownerId?: string): Promise<Response> {
  const form = new FormData();
  if (ownerId) form.set("ownerId", ownerId);
  form.set("file", new Blob([pngOf(16, 16)], { type: "image/png" }), "a.png");
  return fetch(`${base}/v1/images`, { method: "POST", body: form, headers: auth });
}

async function scene(): Promise<Scene> {
  const owner = await signUp(gateway.app, "Owner");
  const uploaded = await upload(owner.auth);
  expect(uploaded.status, await uploaded.clone().text()).toBe(201);
  return { owner, imageId: ((await uploaded.json()) as { image: { id: string } }).image.id };
}

async function send(caller: Caller, s: Scene, request: Request): Promise<number> {
  const auth: Record<string, string> =
    caller === "owner"
      ? s.owner.auth
      : caller === "admin"
        ? admin.auth
        : caller === "other"
          ? other.auth
          : {};
  const { method = "GET", path, json, form } = request(s, caller);
  const controller = new AbortController();
  const response = await fetch(`${base}${path}`, {
    method,
    signal: controller.signal,
    headers: { ...auth, ...(json === undefined ? {} : { "content-type": "application/json" }) },
    ...(json === undefined ? {} : { body: JSON.stringify(json) }),
    ...(form ? { body: form } : {}),
  });
  // An event stream that opened stays open: its status is all this table needs.
  if (response.headers.get("content-type")?.startsWith("text/event-stream")) controller.abort();
  else await response.arrayBuffer();
  if (response.status === 401) expect(response.headers.get("www-authenticate")).toMatch(/^Bearer /);
  return response.status;
}

const imageForm = (ownerId: string) => {
  const form = new FormData();
  form.set("ownerId", ownerId);
  form.set("file", new Blob([pngOf(8, 8)], { type: "image/png" }), "b.png");
  return form;
};

/** action → request, and the status each caller gets: owner, another user, admin, anonymous. */
const TABLE: [string, Request, [number, number, number, number], { deletes?: true }?][] = [
  ["GET user", (s) => ({ path: `/v1/users/${s.owner.id}` }), [200, 403, 200, 401]],
  [
    "PATCH user",
    (s) => ({ method: "PATCH", path: `/v1/users/${s.owner.id}`, json: { name: "Renamed" } }),
    [200, 403, 200, 401],
  ],
  [
    "DELETE user",
    (s) => ({ method: "DELETE", path: `/v1/users/${s.owner.id}` }),
    [200, 403, 200, 401],
    { deletes: true },
  ],
  ["list users", () => ({ path: "/v1/users?pageSize=5" }), [403, 403, 200, 401]],
  [
    "change password (the admin without the current one)",
    (s, caller) => ({
      method: "POST",
      path: `/v1/users/${s.owner.id}:changePassword`,
      json: {
        ...(caller === "admin" ? {} : { currentPassword: s.owner.password }),
        newPassword: "a-brand-new-password",
      },
    }),
    [200, 403, 200, 401],
  ],
  ["GET image", (s) => ({ path: `/v1/images/${s.imageId}` }), [200, 403, 200, 401]],
  ["download image", (s) => ({ path: `/v1/images/${s.imageId}:download` }), [200, 403, 200, 401]],
  [
    "process image",
    (s) => ({
      method: "POST",
      path: `/v1/images/${s.imageId}:process`,
      json: { operations: [{ grayscale: {} }] },
    }),
    [200, 403, 200, 401],
  ],
  [
    "DELETE image",
    (s) => ({ method: "DELETE", path: `/v1/images/${s.imageId}` }),
    [200, 403, 200, 401],
    { deletes: true },
  ],
  ["list the owner's images", (s) => ({ path: `/v1/images?ownerId=${s.owner.id}` }), [200, 403, 200, 401]],
  [
    "upload an image for the owner",
    (s) => ({ method: "POST", path: "/v1/images", form: imageForm(s.owner.id) }),
    [201, 403, 201, 401],
  ],
  ["list notifications", (s) => ({ path: `/v1/users/${s.owner.id}/notifications` }), [200, 403, 200, 401]],
  [
    "subscribe (SSE)",
    (s) => ({ path: `/v1/users/${s.owner.id}/notifications:subscribe` }),
    [200, 403, 200, 401],
  ],
  [
    "send a notification",
    (s) => ({ method: "POST", path: "/v1/notifications", json: { userId: s.owner.id, title: "hi" } }),
    [403, 403, 200, 401],
  ],
];

describe("the access table over REST: owner, another user, admin, no token", () => {
  const ran: string[] = [];
  afterAll(() => console.log(`access table as run (owner other admin anonymous):\n${ran.join("\n")}`));

  it.each(TABLE)("%s", async (action, request, expected, options) => {
    const got: number[] = [];
    const shared = options?.deletes ? undefined : await scene();
    for (const caller of CALLERS) got.push(await send(caller, shared ?? (await scene()), request));
    ran.push(`${action.padEnd(54)} ${got.join(" ")}`);
    expect(Object.fromEntries(CALLERS.map((c, i) => [c, got[i]]))).toEqual(
      Object.fromEntries(CALLERS.map((c, i) => [c, expected[i]])),
    );
  });
});

describe("every operation /openapi.json secures answers 401 without a token", () => {
  it("fills each path variable with a fresh id and sends a minimal body: 401 before anything else", async () => {
    type Operation = { security: unknown[]; requestBody?: { content: Record<string, unknown> } };
    const document = (await (await fetch(`${base}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, Operation>>;
    };
    const answers: string[] = [];
    for (const [template, operations] of Object.entries(document.paths))
      for (const [method, operation] of Object.entries(operations)) {
        if (operation.security.length === 0) continue; // open by the contract: the next test
        const path = template.replace(/\{[^}]+\}/g, () => crypto.randomUUID());
        const raw = operation.requestBody && !operation.requestBody.content["application/json"];
        const response = await fetch(`${base}${path}`, {
          method: method.toUpperCase(),
          ...(operation.requestBody
            ? raw
              ? { headers: { "content-type": "image/png" }, body: pngOf(4, 4) }
              : { headers: { "content-type": "application/json" }, body: "{}" }
            : {}),
        });
        await response.arrayBuffer();
        answers.push(`${method.toUpperCase()} ${template} ${response.status}`);
      }
    expect(answers.length).toBeGreaterThan(10);
    expect(answers.filter((a) => !a.endsWith(" 401"))).toEqual([]);
  });
});

describe("open without a token", () => {
  it("sign-up, login, refresh, logout, JWKS, health, readiness, the OpenAPI document and the docs", async () => {
    const person = await signUp(gateway.app, "Open"); // sign-up and login, no token
    const login = await fetch(`${base}/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: person.email, password: person.password }),
    });
    expect(login.status).toBe(200);
    const tokens = (await login.json()) as { refreshToken: string };
    expect(tokens).toMatchObject({ tokenType: "Bearer", subject: person.id });
    const post = (path: string, json: unknown) =>
      fetch(`${base}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(json),
      });
    const refreshed = await post("/v1/auth/refresh", { refreshToken: tokens.refreshToken });
    expect(refreshed.status).toBe(200);
    const { refreshToken } = (await refreshed.json()) as { refreshToken: string };
    expect((await post("/v1/auth/logout", { refreshToken })).status).toBe(200);
    expect((await post("/v1/auth/refresh", { refreshToken })).status).toBe(401); // logged out
    for (const path of ["/.well-known/jwks.json", "/healthz", "/readyz", "/openapi.json"])
      expect([path, (await fetch(`${base}${path}`)).status]).toEqual([path, 200]);
    expect((await fetch(`${base}/docs`, { redirect: "follow" })).status).toBe(200);
  });

  it("a wrong password is 401 like an unknown email, and a token that is not one is 401 even on an open rpc", async () => {
    const person = await signUp(gateway.app, "Wrong");
    const login = (email: string) =>
      fetch(`${base}/v1/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email, password: "not-the-password" }),
      });
    const wrong = await login(person.email);
    const unknown = await login(`nobody.${person.email}`);
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    const message = async (r: Response) => ((await r.json()) as { message: string }).message;
    expect(await message(wrong)).toBe(await message(unknown));
    const forged = await fetch(`${base}/v1/users`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer not.a.jwt" },
      body: JSON.stringify({ name: "X", email: `x.${person.email}`, password: "long-enough-pw" }),
    });
    expect(forged.status).toBe(401);
    expect(forged.headers.get("www-authenticate")).toBe('Bearer realm="switchboard", error="invalid_token"');
  });
});
