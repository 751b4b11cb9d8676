import { createHash, randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import { pngOf } from "@switchboard/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Services, startServices } from "./backends.js";
import { spawnGateway } from "./gateway-process.js";
import { type Auth, adminAuthAt } from "./people.js";

let services: Services;
let gateway: Awaited<ReturnType<typeof spawnGateway>>;
let admin: Auth; // uploads for made-up owners: only an admin may name them
beforeAll(async () => {
  services = await startServices();
  gateway = await spawnGateway(services.urls);
  admin = await adminAuthAt(gateway.baseUrl);
}, 120_000);
afterAll(async () => {
  await gateway?.stop();
  await services?.close();
});

/** A multipart/form-data body streamed 1 MiB at a time, never whole in one buffer on the wire side. */
function multipart(boundary: string, ownerId: string, file: Uint8Array): Readable {
  return Readable.from(
    (function* () {
      yield Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="ownerId"\r\n\r\n${ownerId}\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.png"\r\nContent-Type: image/png\r\n\r\n`,
      );
      for (let i = 0; i < file.length; i += 1024 * 1024) yield file.subarray(i, i + 1024 * 1024);
      yield Buffer.from(`\r\n--${boundary}--\r\n`);
    })(),
  );
}

async function upload(png: Uint8Array) {
  const boundary = "switchboard-test-boundary";
  const response = await fetch(`${gateway.baseUrl}/v1/images`, {
    method: "POST",
    headers: { ...admin, "content-type": `multipart/form-data; boundary=${boundary}` },
    body: Readable.toWeb(multipart(boundary, randomUUID(), png)) as ReadableStream,
    duplex: "half",
  } as RequestInit);
  const text = await response.text();
  expect(response.status, text).toBe(201);
  return JSON.parse(text).image as { sha256: string };
}

describe("a big multipart upload through the gateway process", () => {
  it("streams ~100 MiB into UploadImage without ever holding it whole: the gateway's RSS grows by less than 32 MiB", async () => {
    const png = pngOf(5_900, 5_900, true); // ≈ 100 MiB of incompressible pixels
    expect(png.length).toBeGreaterThan(99 * 1024 * 1024);
    // Warm up first (code loaded and compiled, the backend connection open): the baseline is a steady gateway.
    const warm = pngOf(400, 400, true);
    for (let i = 0; i < 3; i++) await upload(warm);
    const before = await gateway.rssMiB();
    let peak = before;
    const sampler = setInterval(async () => {
      peak = Math.max(peak, await gateway.rssMiB());
    }, 25);
    const image = await upload(png);
    clearInterval(sampler);
    expect(image.sha256).toBe(createHash("sha256").update(png).digest("hex"));
    const growth = peak - before;
    console.log(
      `gateway RSS ${before.toFixed(1)} → peak ${peak.toFixed(1)} MiB (+${growth.toFixed(1)}) for ${(png.length / 2 ** 20).toFixed(1)} MiB`,
    );
    // The goal: ~32 MiB. Measured +12 to +25 MiB; +36 to +62 MiB before the runtime's
    // MessageGarbage collected the passed-through chunks every 4 MiB (V8 waits for 64 MiB of them);
    // every 2 MiB since CI once measured +34: +15 to +17 MiB with two busy loops beside it.
    expect(growth).toBeLessThan(32);
  }, 300_000);
});
