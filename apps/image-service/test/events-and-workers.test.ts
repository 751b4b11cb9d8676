import { randomUUID } from "node:crypto";
import { readFile, rm, writeFile } from "node:fs/promises";
import type { CloudEvent } from "@switchboard/messaging";
import { IMAGES_TOPIC } from "@switchboard/messaging";
import type { ImageProcessed, ImageUploaded } from "@switchboard/proto/switchboard/events/v1/events_pb.js";
import type { ImageService } from "@switchboard/proto/switchboard/image/v1/image_service_pb.js";
import type { connectClient } from "@switchboard/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  eventually,
  files,
  type ImageServiceUnderTest,
  JOB_ATTEMPTS,
  makeImage,
  sharedDeployment,
  startImageService,
  uploadMessages,
} from "./harness.js";

let service: ImageServiceUnderTest;
let client: ReturnType<typeof connectClient<typeof ImageService>>;
const seen: CloudEvent[] = [];
let close: () => Promise<void>;

beforeAll(async () => {
  service = await startImageService({ workers: 2 });
  client = service.client();
  const subscription = await service.kafka.subscribe(IMAGES_TOPIC, async (event) => void seen.push(event), {
    group: `image-events-test-${randomUUID()}`,
    fromBeginning: true,
  });
  close = () => subscription.close();
}, 60_000);
afterAll(async () => {
  await close?.();
  await service?.close();
});

async function upload(bytes: Uint8Array, ownerId: string) {
  const { image } = await client.uploadImage(uploadMessages(bytes, { ownerId }));
  if (!image) throw new Error("no image");
  return image;
}

const eventsAbout = (imageId: string) => seen.filter((event) => event.subject === imageId);

describe("image events and workers", () => {
  it("an upload publishes ImageUploaded; a worker makes its thumbnail and publishes ImageProcessed", async () => {
    const owner = randomUUID();
    const image = await upload(await makeImage("png", 400, 200), owner);

    const processed = await eventually(async () =>
      eventsAbout(image.id).find((event) => event.type === "switchboard.events.v1.ImageProcessed"),
    );
    const types = eventsAbout(image.id).map((event) => event.type);
    expect(types).toEqual(["switchboard.events.v1.ImageUploaded", "switchboard.events.v1.ImageProcessed"]);
    expect((eventsAbout(image.id)[0]?.data as ImageUploaded).image?.sha256).toBe(image.sha256);

    const { variant, ownerId } = processed.data as ImageProcessed;
    expect(ownerId).toBe(owner);
    expect(variant).toMatchObject({ imageId: image.id, width: 128, height: 64, contentType: "image/png" });
    expect(variant?.operations[0]?.kind.case).toBe("thumbnail");
    const { image: stored } = await client.getImage({ imageId: image.id });
    expect(stored?.variants.map((v) => v.id)).toEqual([variant?.id]);
  });

  it("two workers share the jobs (competing consumers on one queue)", async () => {
    const owner = randomUUID();
    const images = [];
    for (let i = 0; i < 8; i++) images.push(await upload(await makeImage("png", 300, 300), owner));
    const ids = new Set(images.map((image) => image.id));
    const done = await eventually(async () => {
      const mine = service.jobsDone.filter(({ imageId }) => ids.has(imageId));
      return mine.length === images.length ? mine : undefined;
    }, 30_000);
    const perWorker = new Map<number, number>();
    for (const { worker } of done) perWorker.set(worker, (perWorker.get(worker) ?? 0) + 1);
    expect([...perWorker.keys()].sort()).toEqual([1, 2]);
    // each job once: one thumbnail per image
    for (const image of images) {
      const { image: stored } = await client.getImage({ imageId: image.id });
      expect(stored?.variants).toHaveLength(1);
    }
  });

  it("an image that cannot be decoded is retried, then dead-lettered; its upload stays, with no variant", async () => {
    // Uploads are decoded before they are stored, so a stored image that no longer decodes has
    // rotted on disk: garble one, with this service's own workers stopped, then let a worker try.
    const paused = await startImageService({ workers: 0 });
    try {
      const pausedClient = paused.client();
      const { image } = await pausedClient.uploadImage(uploadMessages(await makeImage("png", 64, 64)));
      const path = paused.blobs.pathOf(image?.sha256 ?? "");
      const rotten = await readFile(path);
      rotten.fill(0x42, 200, rotten.length - 100);
      await writeFile(path, rotten);
      await paused.startWorkers(1);

      const dead = await eventually(async () => {
        const letters = await paused.amqp.deadLetters(paused.jobsQueue, 100);
        return letters.find((job) => job.subject === image?.id);
      }, 30_000);
      expect(dead.type).toBe("switchboard.events.v1.ImageProcessingRequested");
      const failures = paused.lines.filter(
        (line) => String(line.msg).startsWith("image job failed") && line.imageId === image?.id,
      );
      expect(failures.length).toBeGreaterThanOrEqual(JOB_ATTEMPTS);
      const { image: stored } = await pausedClient.getImage({ imageId: image?.id ?? "" });
      expect(stored?.variants).toEqual([]);
      expect((await files(paused.dataDir)).temporary).toBe(0);
    } finally {
      await paused.close();
    }
  });

  it("the thumbnail job of an image deleted before it ran is dropped, not retried or dead-lettered", async () => {
    const paused = await startImageService({ workers: 0 });
    try {
      const client = paused.client();
      const { image } = await client.uploadImage(uploadMessages(await makeImage("png", 64, 64)));
      await client.deleteImage({ imageId: image?.id ?? "" });
      await paused.startWorkers(1);

      await eventually(async () =>
        paused.lines.find(
          (line) => line.msg === "image job dropped: the image was deleted" && line.imageId === image?.id,
        ),
      );
      expect(paused.lines.filter((line) => String(line.msg).startsWith("image job failed"))).toEqual([]);
      expect(await paused.amqp.deadLetters(paused.jobsQueue, 100)).toEqual([]);
      expect(await paused.stored()).toMatchObject({ images: 0, variants: 0, blobs: 0 });
    } finally {
      await paused.close();
    }
  });

  it("workers of two processes share one queue (one deployment: one PostgreSQL, one blob store)", async () => {
    const deployment = await sharedDeployment();
    const first = await startImageService({ sharing: deployment, workers: 1 });
    const second = await startImageService({ sharing: deployment, workers: 1 });
    try {
      const uploader = first.client();
      const ids = new Set<string>();
      for (let i = 0; i < 6; i++) {
        const { image } = await uploader.uploadImage(uploadMessages(await makeImage("png", 300, 200)));
        ids.add(image?.id ?? "");
      }
      const doneBy = (instance: ImageServiceUnderTest) =>
        instance.jobsDone.filter(({ imageId }) => ids.has(imageId)).length;
      await eventually(async () => (doneBy(first) + doneBy(second) === ids.size ? true : undefined), 30_000);
      expect(doneBy(first)).toBeGreaterThan(0);
      expect(doneBy(second)).toBeGreaterThan(0);
      // Either process serves what the other stored: one image, one thumbnail each.
      const reader = second.client();
      for (const id of ids) {
        const { image } = await reader.getImage({ imageId: id });
        expect(image?.variants.map((v) => [v.width, v.height])).toEqual([[128, 85]]);
      }
    } finally {
      await first.close();
      await second.close(true);
      await rm(deployment.dataDir, { recursive: true, force: true });
    }
  });
});
