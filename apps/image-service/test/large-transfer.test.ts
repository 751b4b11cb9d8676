import { type ChildProcess, spawn } from "node:child_process";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ImageService } from "@switchboard/proto/switchboard/image/v1/image_service_pb.js";
import { connectClient, ensureBrokers } from "@switchboard/testing";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authForProcess, KiB, MiB, uploadMessages } from "./harness.js";

/** Peak and current resident memory of a process, in MiB, from /proc. */
async function memoryOf(pid: number) {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kib = (field: string) => Number(status.match(new RegExp(`${field}:\\s+(\\d+) kB`))?.[1]) / 1024;
  return { peakMiB: kib("VmHWM"), rssMiB: kib("VmRSS") };
}

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
    const before = await memoryOf(child.pid ?? 0);

    const { image } = await client.uploadImage(uploadMessages(png, { sha256 }, 64 * KiB));
    expect(image).toMatchObject({ sizeBytes: BigInt(png.length), sha256, width: 4400, height: 4100 });
    const afterUpload = await memoryOf(child.pid ?? 0);

    const hash = createHash("sha256");
    let received = 0;
    for await (const message of client.downloadImage({ imageId: image?.id ?? "", chunkSize: 256 * KiB })) {
      if (message.data.case !== "chunk") continue;
      hash.update(message.data.value);
      received += message.data.value.length;
    }
    expect(received).toBe(png.length);
    expect(hash.digest("hex")).toBe(sha256);
    const after = await memoryOf(child.pid ?? 0);

    const size = png.length / MiB;
    console.log(
      `large transfer: ${size.toFixed(1)} MiB up and down; server RSS ${before.rssMiB.toFixed(0)} MiB (peak ${before.peakMiB.toFixed(0)}) before, ` +
        `peak ${afterUpload.peakMiB.toFixed(0)} MiB after the upload, peak ${after.peakMiB.toFixed(0)} MiB after the download`,
    );
    // Buffering the image anywhere in the server would add its whole size to the peak.
    expect(after.peakMiB - before.peakMiB).toBeLessThan(size);
  }, 180_000);
});
