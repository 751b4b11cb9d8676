import { type ChildProcess, spawn } from "node:child_process";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ImageService } from "@switchboard/proto/switchboard/image/v1/image_service_pb.js";
import { connectClient, ensureBrokers, sampleRss } from "@switchboard/testing";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authForProcess, KiB, MiB, uploadMessages } from "./harness.js";

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

let child: ChildProcess;
let dataDir: string;
let auth: Awaited<ReturnType<typeof authForProcess>>;
let client: ReturnType<typeof connectClient<typeof ImageService>>;

// The real service as its own process (main.ts, real brokers), so its memory is its own.
beforeAll(async () => {
  await ensureBrokers("kafka", "rabbitmq", "mosquitto");
  dataDir = await mkdtemp(join(tmpdir(), "image-service-large-"));
  const port = await freePort();
  auth = await authForProcess();
  child = spawn(process.execPath, ["--conditions=source", "--import", "tsx", "src/main.ts"], {
    cwd: join(import.meta.dirname, ".."),
    env: {
      ...process.env,
      PORT: String(port),
      DATA_DIR: dataDir,
      MAX_UPLOAD_BYTES: String(128 * MiB),
      MAX_PIXELS: String(40_000_000),
      WORKERS: "0",
      JOBS_QUEUE: `images.process.test-${randomUUID().slice(0, 8)}`,
      LOG_LEVEL: "warn",
      ...auth.env,
    },
    stdio: ["ignore", "inherit", "inherit"],
  });
  client = connectClient(ImageService, `http://127.0.0.1:${port}`, "grpc", {
    timeoutMs: 120_000,
    token: auth.adminToken,
  });
  for (let attempt = 0; ; attempt++) {
    try {
      await client.listImages({ ownerId: "anonymous" });
      return;
    } catch (error) {
      if (attempt > 300) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}, 60_000);

afterAll(async () => {
  if (child?.exitCode === null) {
    child.kill("SIGTERM");
    await new Promise((resolve) => child.once("exit", resolve));
  }
  await auth?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe("a large image", () => {
  it("≥ 50 MiB goes up in 64 KiB chunks and comes back byte-identical, the server's memory bounded", async () => {
    // 4400×4100 of random pixels, stored uncompressed in a PNG: about 51.6 MiB that cannot shrink.
    const png = await sharp(randomBytes(4400 * 4100 * 3), { raw: { width: 4400, height: 4100, channels: 3 } })
      .png({ compressionLevel: 0 })
      .toBuffer();
    expect(png.length).toBeGreaterThanOrEqual(50 * MiB);
    const sha256 = createHash("sha256").update(png).digest("hex");
    const size = png.length / MiB;
    const pid = child.pid ?? 0;
    // A warm-up round trip of a 9 MiB image first (code compiled, the heap's young generation and
    // libvips' decode buffers at their working size), so the samples below show what the big
    // transfer adds, not the process settling.
    const warmUp = await sharp(randomBytes(1800 * 1800 * 3), {
      raw: { width: 1800, height: 1800, channels: 3 },
    })
      .png({ compressionLevel: 0 })
      .toBuffer();
    const warm = await client.uploadImage(uploadMessages(warmUp, {}, 64 * KiB));
    for await (const _ of client.downloadImage({ imageId: warm.image?.id ?? "" }));

    // The server's RSS, sampled every 50 ms while each transfer runs (not VmHWM, a lifetime peak).
    const uploading = await sampleRss(pid);
    const { image } = await client.uploadImage(uploadMessages(png, { sha256 }, 64 * KiB));
    const upload = await uploading.stop();
    expect(image).toMatchObject({ sizeBytes: BigInt(png.length), sha256, width: 4400, height: 4100 });

    const downloading = await sampleRss(pid);
    const hash = createHash("sha256");
    let received = 0;
    for await (const message of client.downloadImage({ imageId: image?.id ?? "", chunkSize: 256 * KiB })) {
      if (message.data.case !== "chunk") continue;
      hash.update(message.data.value);
      received += message.data.value.length;
    }
    const download = await downloading.stop();
    expect(received).toBe(png.length);
    expect(hash.digest("hex")).toBe(sha256);

    const growth = (s: { startMiB: number; peakMiB: number }) => s.peakMiB - s.startMiB;
    console.log(
      `large transfer: ${size.toFixed(1)} MiB; server RSS growth while uploading +${growth(upload).toFixed(1)} MiB ` +
        `(${upload.startMiB.toFixed(0)} → ${upload.peakMiB.toFixed(0)}, ${upload.count} samples), while downloading ` +
        `+${growth(download).toFixed(1)} MiB (${download.startMiB.toFixed(0)} → ${download.peakMiB.toFixed(0)}, ${download.count} samples)`,
    );
    // Holding the image, or a quarter of it, anywhere in the server would show here (before the
    // runtime's MessageGarbage, the upload's dead chunks alone added +79 MiB).
    expect(growth(upload)).toBeLessThan(size / 4);
    expect(growth(download)).toBeLessThan(size / 4);
  }, 180_000);
});
