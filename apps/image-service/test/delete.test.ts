import { randomUUID } from "node:crypto";
import { access, writeFile } from "node:fs/promises";
import { create } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { type CloudEvent, Inbox, USERS_TOPIC } from "@switchboard/messaging";
import { UserDeletedSchema } from "@switchboard/proto/switchboard/events/v1/events_pb.js";
import type { ImageService } from "@switchboard/proto/switchboard/image/v1/image_service_pb.js";
import { callError, collect, type connectClient, memoryLogger } from "@switchboard/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { userEvents } from "../src/consumers/user-events.js";
import { lockBlob } from "../src/storage/blob-lock.js";
import {
  eventually,
  type ImageServiceUnderTest,
  makeImage,
  sharedDeployment,
  startImageService,
  uploadMessages,
} from "./harness.js";

let service: ImageServiceUnderTest;
let client: ReturnType<typeof connectClient<typeof ImageService>>;

// Real PostgreSQL: a delete and an upload of the same bytes run in truly concurrent transactions.
beforeAll(async () => {
  service = await startImageService({ sharing: await sharedDeployment(), userEvents: true });
  client = service.client();
}, 60_000);
afterAll(() => service?.close(true));

async function upload(bytes: Uint8Array, ownerId: string) {
  const { image } = await client.uploadImage(uploadMessages(bytes, { ownerId }));
  if (!image) throw new Error("no image");
  return image;
}

const present = (sha256: string) =>
  access(service.blobs.pathOf(sha256)).then(
    () => true,
    () => false,
  );
const rowsOf = async (ownerId: string) =>
  Number(
    (
      await service.db.query<{ n: number }>("SELECT count(*)::int AS n FROM images WHERE owner_id = $1", [
        ownerId,
      ])
    ).rows[0]?.n,
  );

describe("DeleteImage", () => {
  it("deletes the image, its variants and their bytes: NOT_FOUND after, and on a second delete", async () => {
    const image = await upload(await makeImage("png"), randomUUID());
    const { variant } = await client.processImage({
      imageId: image.id,
      operations: [{ kind: { case: "grayscale", value: {} } }],
    });
    expect([await present(image.sha256), await present(variant?.sha256 ?? "")]).toEqual([true, true]);

    await client.deleteImage({ imageId: image.id });

    for (const call of [
      () => client.getImage({ imageId: image.id }),
      () => collect(client.downloadImage({ imageId: image.id })),
      () => client.deleteImage({ imageId: image.id }),
    ]) {
      expect((await callError(call()))?.code).toBe(Code.NotFound);
    }
    const variants = await service.db.query("SELECT 1 FROM image_variants WHERE image_id = $1", [image.id]);
    expect(variants.rows).toEqual([]);
    expect([await present(image.sha256), await present(variant?.sha256 ?? "")]).toEqual([false, false]);
  });

  it("keeps bytes another image shares until the last one goes", async () => {
    const bytes = await makeImage("png");
    const first = await upload(bytes, randomUUID());
    const second = await upload(bytes, randomUUID());
    expect(first.sha256).toBe(second.sha256);

    await client.deleteImage({ imageId: first.id });
    expect(await present(second.sha256)).toBe(true);
    const chunks = await collect(client.downloadImage({ imageId: second.id }));
    const downloaded = Buffer.concat(chunks.flatMap((m) => (m.data.case === "chunk" ? [m.data.value] : [])));
    expect(downloaded.equals(bytes)).toBe(true);

    await client.deleteImage({ imageId: second.id });
    expect(await present(second.sha256)).toBe(false);
  });

  it("never removes bytes an upload of the same content is committing at the same time", async () => {
    const bytes = await makeImage("png", 40, 30);
    const doomed = await upload(bytes, randomUUID());
    let deleting: Promise<unknown> | undefined;
    // A second upload's commit, step by step as ImageLibrary does it, with the delete let loose
    // in the middle: the bytes are found already stored, the new row not yet committed.
    await service.db.transaction(async (tx) => {
      await lockBlob(tx, doomed.sha256);
      const path = service.blobs.tempPath();
      await writeFile(path, bytes);
      expect(await service.blobs.commit(await service.blobs.pendingFromFile(path))).toBe(false);
      deleting = client.deleteImage({ imageId: doomed.id });
      await new Promise((resolve) => setTimeout(resolve, 500)); // without the lock, the delete removes the bytes now
      await tx.query(
        `INSERT INTO images (id, owner_id, filename, content_type, size_bytes, width, height, sha256, create_time)
         VALUES ($1, $2, 'race.png', 'image/png', $3, 40, 30, $4, now())`,
        [randomUUID(), randomUUID(), bytes.length, doomed.sha256],
      );
    });
    await deleting;
    expect(await present(doomed.sha256)).toBe(true);
  });
});

describe("a UserDeleted event", () => {
  it("deletes that user's images and the bytes no one else's image shares", async () => {
    const [victim, bystander] = [randomUUID(), randomUUID()];
    const shared = await makeImage("png");
    const own = await upload(await makeImage("png"), victim);
    const alsoShared = await upload(shared, victim);
    const kept = await upload(shared, bystander);

    // A new consumer group reads from the end once it first fetches: publish until it has.
    await eventually(async () => {
      if ((await rowsOf(victim)) === 0) return true;
      await service.kafka.publish(USERS_TOPIC, {
        schema: UserDeletedSchema,
        data: { userId: victim },
        subject: victim,
      });
      await new Promise((resolve) => setTimeout(resolve, 500));
      return undefined;
    }, 30_000);

    expect((await callError(client.getImage({ imageId: own.id })))?.code).toBe(Code.NotFound);
    expect((await callError(client.getImage({ imageId: alsoShared.id })))?.code).toBe(Code.NotFound);
    expect(await present(own.sha256)).toBe(false);
    expect((await client.getImage({ imageId: kept.id })).image?.sha256).toBe(kept.sha256);
    expect(await present(kept.sha256)).toBe(true);
  }, 60_000);

  it("is acted on once: a redelivery deletes nothing uploaded since", async () => {
    const user = randomUUID();
    await upload(await makeImage("png"), user);
    const event: CloudEvent = {
      id: randomUUID(),
      type: "switchboard.events.v1.UserDeleted",
      source: "/switchboard/user-service",
      subject: user,
      time: new Date(),
      datacontenttype: "application/protobuf",
      extensions: {},
      data: create(UserDeletedSchema, { userId: user }),
    };
    const handle = userEvents({
      library: service.library,
      db: service.db,
      inbox: new Inbox(),
      logger: memoryLogger().logger,
    });
    await handle(event);
    expect(await rowsOf(user)).toBe(0);

    const since = await upload(await makeImage("png"), user);
    await handle(event);
    expect((await client.getImage({ imageId: since.id })).image?.ownerId).toBe(user);
  });
});
