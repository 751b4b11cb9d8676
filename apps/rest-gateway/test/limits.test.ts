import { type AddressInfo, createServer } from "node:net";
import { Validator } from "@seriousme/openapi-schema-validator";
import { pngOf } from "@switchboard/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Services, startGateway, startServices } from "./backends.js";
import { logInAdmin } from "./people.js";

let services: Services;
beforeAll(async () => {
  services = await startServices();
}, 120_000);
afterAll(async () => {
  await services?.close();
});

/** A loopback port nothing listens on: a backend that is down. */
async function deadPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

describe("a backend that is down", () => {
  it("gives 503 for its routes only; the other routes keep working and /readyz names it", async () => {
    const gateway = await startGateway({ ...services.urls, image: await deadPort() });
    try {
      const images = await gateway.app.inject({ method: "GET", url: "/v1/images?ownerId=anonymous" });
      expect(images.statusCode).toBe(503);
      expect(images.json().code).toBe(14);
      const { auth } = await logInAdmin(gateway.app);
      const users = await gateway.app.inject({ method: "GET", url: "/v1/users?pageSize=1", headers: auth });
      expect(users.statusCode).toBe(200);
      const ready = await gateway.app.inject({ method: "GET", url: "/readyz" });
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toMatchObject({ code: 14, message: "not ready: image-service" });
    } finally {
      await gateway.app.close();
    }
  });
});

describe("deadlines", () => {
  it("sends the deadline with the call and answers 504 DEADLINE_EXCEEDED when a backend never answers", async () => {
    // A backend that accepts connections and then says nothing at all.
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as { port: number };
    const gateway = await startGateway(
      { ...services.urls, user: `http://127.0.0.1:${port}` },
      { callTimeoutMs: 300 },
    );
    try {
      const response = await gateway.app.inject({ method: "GET", url: `/v1/users/${crypto.randomUUID()}` });
      expect(response.statusCode).toBe(504);
      expect(response.json().code).toBe(4);
    } finally {
      await gateway.app.close();
      silent.close();
    }
  });
});

describe("per-route limits (route-limits.ts)", () => {
  it("refuses an upload over MAX_UPLOAD_BYTES with 413, raw (with or without Content-Length) or multipart; a small one passes", async () => {
    const gateway = await startGateway(services.urls, { maxUploadBytes: 4096 });
    try {
      await gateway.app.listen({ port: 0, host: "127.0.0.1" });
      const base = `http://127.0.0.1:${(gateway.app.server.address() as AddressInfo).port}`;
      const { auth } = await logInAdmin(gateway.app);
      const big = pngOf(64, 64, true); // incompressible: well over 4 KiB
      expect(big.length).toBeGreaterThan(8192);
      const raw = (body: RequestInit["body"]) =>
        fetch(`${base}/v1/images?filename=big.png`, {
          method: "POST",
          headers: { ...auth, "content-type": "image/png" },
          body,
          duplex: "half",
        } as RequestInit);
      const withLength = await raw(big);
      const chunked = await raw(
        new ReadableStream({
          start(controller) {
            for (let i = 0; i < big.length; i += 1024) controller.enqueue(big.subarray(i, i + 1024));
            controller.close();
          },
        }),
      );
      const form = new FormData();
      form.set("file", new Blob([big], { type: "image/png" }), "big.png");
      const multipart = await fetch(`${base}/v1/images`, { method: "POST", headers: auth, body: form });
      for (const response of [withLength, chunked, multipart]) {
        expect(response.status, `${response.url} ${await response.clone().text()}`).toBe(413);
        expect(await response.json()).toMatchObject({ code: 8 });
      }
      const small = await raw(pngOf(8, 8));
      expect(small.status, await small.clone().text()).toBe(201);
    } finally {
      await gateway.app.close();
    }
  });
});

describe("rate limit and CORS", () => {
  it("answers over the per-client limit with 429, Retry-After and RateLimit-* headers, as Status JSON", async () => {
    const gateway = await startGateway(services.urls, { rateLimitPerMinute: 2 });
    try {
      for (let i = 0; i < 2; i++) {
        const ok = await gateway.app.inject({ method: "GET", url: "/healthz" });
        expect(ok.headers["ratelimit-limit"]).toBe("2");
      }
      const limited = await gateway.app.inject({ method: "GET", url: "/healthz" });
      expect(limited.statusCode).toBe(429);
      expect(Number(limited.headers["retry-after"])).toBeGreaterThan(0);
      expect(limited.headers["ratelimit-remaining"]).toBe("0");
      expect(limited.json()).toMatchObject({ code: 8 });
    } finally {
      await gateway.app.close();
    }
  });

  it("allows only the configured origins", async () => {
    const gateway = await startGateway(services.urls, { corsOrigins: ["https://app.example"] });
    try {
      const allowed = await gateway.app.inject({
        method: "OPTIONS",
        url: "/v1/users",
        headers: { origin: "https://app.example", "access-control-request-method": "POST" },
      });
      expect(allowed.headers["access-control-allow-origin"]).toBe("https://app.example");
      const other = await gateway.app.inject({
        method: "GET",
        url: "/healthz",
        headers: { origin: "https://evil.example" },
      });
      expect(other.headers["access-control-allow-origin"]).toBeUndefined();
    } finally {
      await gateway.app.close();
    }
  });
});

describe("OpenAPI and docs", () => {
  it("serves /openapi.json that a standard validator accepts, and a docs page at /docs with its script from this server", async () => {
    const gateway = await startGateway(services.urls);
    try {
      const doc = (await gateway.app.inject({ method: "GET", url: "/openapi.json" })).json();
      const result = await new Validator().validate(doc);
      expect(result.errors ?? []).toEqual([]);
      expect(Object.keys(doc.paths)).toContain("/v1/images/{image_id}:download");
      expect(Object.keys(doc.paths["/v1/images"].post.requestBody.content)).toEqual([
        "multipart/form-data",
        "image/*",
      ]);
      const entry = await gateway.app.inject({ method: "GET", url: "/docs" });
      const docs =
        entry.statusCode === 301
          ? await gateway.app.inject({ method: "GET", url: entry.headers.location as string })
          : entry;
      expect(docs.statusCode).toBe(200);
      expect(docs.headers["content-type"]).toMatch(/text\/html/);
      const script = /<script[^>]+src="([^"]+)"/.exec(docs.body)?.[1];
      expect(script, "the docs page loads its script").toBeTruthy();
      expect(script).not.toMatch(/^https?:/); // offline: nothing from a CDN
      const js = await gateway.app.inject({
        method: "GET",
        url: new URL(script!, "http://x/docs/").pathname,
      });
      expect(js.statusCode).toBe(200);
    } finally {
      await gateway.app.close();
    }
  });
});
