import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { OperationSchema } from "@switchboard/proto/switchboard/image/v1/image_pb.js";
import { ImageService } from "@switchboard/proto/switchboard/image/v1/image_service_pb.js";
import {
  connectClient,
  ensureBrokers,
  freePort,
  type ServiceProcess,
  sampleRss,
  spawnService,
  waitUntilAnswering,
} from "@switchboard/testing";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authForProcess, OWNER, uploadMessages } from "./harness.js";

let service: ServiceProcess;
let dataDir: string;
let auth: Awaited<ReturnType<typeof authForProcess>>;
let client: ReturnType<typeof connectClient<typeof ImageService>>;

// image-service as its own process (main.ts, real brokers), so the RSS sampled is the service's alone.
beforeAll(async () => {
  await ensureBrokers("kafka", "rabbitmq", "mosquitto");
  dataDir = await mkdtemp(join(tmpdir(), "image-service-load-"));
  const port = await freePort();
  auth = await authForProcess();
  service = spawnService(join(import.meta.dirname, ".."), {
    PORT: String(port),
    DATA_DIR: dataDir,
    WORKERS: "0",
    JOBS_QUEUE: `images.process.test-${randomUUID().slice(0, 8)}`,
    LOG_LEVEL: "warn",
    ...auth.env,
  });
  client = connectClient(ImageService, `http://127.0.0.1:${port}`, "grpc", {
    timeoutMs: 300_000,
    token: auth.adminToken,
  });
  await waitUntilAnswering(() => client.listImages({ ownerId: "anonymous" }));
}, 90_000);

afterAll(async () => {
  await service?.stop();
  await auth?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe("ProcessImage under hostile load", () => {
  it("16 concurrent calls on a solid 7000×7000 PNG keep the process under idle + 400 MiB and it keeps answering", async () => {
    // ~665 KB that decodes to 49 MP: it passes the upload's 50 MP cap.
    const png = await sharp({ create: { width: 7000, height: 7000, channels: 3, background: "#3a7" } })
      .png()
      .toBuffer();
    const { image } = await client.uploadImage(uploadMessages(png));
    const imageId = image?.id ?? "";
    // Rotating first is the worst order: a quarter turn holds the whole decoded RGB image.
    const operations = [
      create(OperationSchema, { kind: { case: "rotate", value: { degrees: 90 } } }),
      create(OperationSchema, { kind: { case: "grayscale", value: {} } }),
      create(OperationSchema, { kind: { case: "resize", value: { width: 6000 } } }),
    ];

    const rss = await sampleRss(service.pid, 50);
    const outcomes = await Promise.all(
      Array.from({ length: 16 }, () =>
        client.processImage({ imageId, operations }).then(
          () => "ok",
          (error: unknown) => Code[ConnectError.from(error).code],
        ),
      ),
    );
    // Answers while the load drains: the service is alive, not swapped out or queued behind it.
    const listed = await client.listImages({ ownerId: OWNER });
    const { startMiB, peakMiB, count } = await rss.stop();

    const tally = Object.fromEntries(
      [...new Set(outcomes)].map((o) => [o, outcomes.filter((x) => x === o).length]),
    );
    console.log(
      `16 × ProcessImage of a solid 7000×7000 PNG: ${JSON.stringify(tally)}; image-service RSS ${startMiB.toFixed(0)} MiB idle, ` +
        `peak ${peakMiB.toFixed(0)} MiB (+${(peakMiB - startMiB).toFixed(0)} MiB, ${count} samples every 50 ms)`,
    );
    expect(listed.images.map((i) => i.id)).toContain(imageId);
    expect(outcomes).toContain("ok");
    // Every call either ran or was turned away at once: no INTERNAL, no crash.
    for (const outcome of outcomes) expect(["ok", "ResourceExhausted"]).toContain(outcome);
    expect(peakMiB - startMiB).toBeLessThan(400);
    // And it still processes after the storm.
    const after = await client.processImage({
      imageId,
      operations: [{ kind: { case: "thumbnail", value: { size: 64 } } }],
    });
    expect(after.variant?.width).toBe(64);
  }, 600_000);
});
