/**
 * The flows of the root README and docs/architecture.md across the whole running system — user-service, image-service,
 * notification-service, Kafka, RabbitMQ, Mosquitto — seen only from outside, as a client would.
 */
import { createHash, randomBytes } from "node:crypto";
import { create, fromBinary } from "@bufbuild/protobuf";
import { UploadImageRequestSchema } from "@switchboard/proto/switchboard/image/v1/image_service_pb.js";
import {
  NotificationKind,
  NotificationSchema,
} from "@switchboard/proto/switchboard/notification/v1/notification_pb.js";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, mqttListener, signUp } from "./system.js";

// The operator's view of every user's topic (a person can only subscribe to its own: see flow 2).
let listener: Awaited<ReturnType<typeof mqttListener>>;
beforeAll(async () => {
  listener = await mqttListener("switchboard/users/+/notifications");
});
afterAll(() => listener?.close());

/** The notifications that reached MQTT for `userId`, decoded. */
const mqttNotificationsOf = (userId: string) =>
  listener.messages
    .filter((message) => message.topic === `switchboard/users/${userId}/notifications`)
    .map((message) => fromBinary(NotificationSchema, message.payload));

/** The notifications of `messages` (one user's own subscription), decoded. */
const decoded = (messages: { payload: Buffer }[]) =>
  messages.map((message) => fromBinary(NotificationSchema, message.payload));

describe("flow 1: sign-up", () => {
  it("CreateUser → Kafka → notification-service → RabbitMQ → a welcome on MQTT and in the history", async () => {
    const { user, notifications } = await signUp();
    const welcome = await eventually(() =>
      mqttNotificationsOf(user.id).find((n) => n.kind === NotificationKind.WELCOME),
    );
    expect(welcome.title).toContain(user.name);
    const { notifications: history } = await notifications.listNotifications({ userId: user.id });
    expect(history.map((n) => n.id)).toContain(welcome.id);
  });
});

describe("flow 2: avatar", () => {
  it("log in → MQTT with the user's own credentials → UploadImage in 64 KiB chunks → thumbnail by a worker → 'image ready' to the owner", async () => {
    const { user, auth, images } = await signUp();
    const mqttAccount = await auth.getMqttCredentials({});
    expect(mqttAccount.topic).toBe(`switchboard/users/${user.id}/notifications`);
    const own = await mqttListener(mqttAccount.topic, mqttAccount);
    try {
      await uploadAndSeeTheThumbnail(images, user.id, own.messages);
    } finally {
      await own.close();
    }
  });
});

/** The avatar flow, as the signed-in owner: upload, 'image ready' on its own MQTT topic, thumbnail. */
async function uploadAndSeeTheThumbnail(
  images: Awaited<ReturnType<typeof signUp>>["images"],
  userId: string,
  ownMessages: { topic: string; payload: Buffer }[],
) {
  const avatar = await sharp(randomBytes(640 * 480 * 3), { raw: { width: 640, height: 480, channels: 3 } })
    .png()
    .toBuffer();
  const { image } = await images.uploadImage(
    (async function* () {
      yield create(UploadImageRequestSchema, {
        data: {
          case: "metadata",
          value: {
            filename: "avatar.png", // no ownerId: the caller owns it
            sizeBytes: BigInt(avatar.length),
            sha256: createHash("sha256").update(avatar).digest("hex"),
          },
        },
      });
      for (let offset = 0; offset < avatar.length; offset += 64 * 1024) {
        yield create(UploadImageRequestSchema, {
          data: { case: "chunk", value: avatar.subarray(offset, offset + 64 * 1024) },
        });
      }
    })(),
  );
  expect(image?.ownerId).toBe(userId);
  const ready = await eventually(() =>
    decoded(ownMessages).find((n) => n.kind === NotificationKind.IMAGE_READY),
  );
  expect(ready.data.image_id).toBe(image?.id);

  const { image: stored } = await images.getImage({ imageId: image?.id ?? "" });
  const thumbnail = stored?.variants.find((v) => v.id === ready.data.variant_id);
  expect(thumbnail).toMatchObject({ width: 128, height: 96, contentType: "image/png" });
  const chunks: Uint8Array[] = [];
  for await (const message of images.downloadImage({
    imageId: stored?.id ?? "",
    variantId: thumbnail?.id ?? "",
  })) {
    if (message.data.case === "chunk") chunks.push(message.data.value);
  }
  const { width, height } = await sharp(Buffer.concat(chunks)).metadata();
  expect([width, height]).toEqual([128, 96]);
}

describe("flow 3: presence", () => {
  it("every service has a retained 'online' status on MQTT", async () => {
    const presence = await mqttListener("switchboard/services/+/status");
    try {
      const statuses = await eventually(() => {
        const latest = new Map(
          presence.messages.map((m) => [m.topic, JSON.parse(m.payload.toString()) as { status: string }]),
        );
        return latest.size >= 3 ? latest : undefined;
      }, 5_000);
      for (const service of ["user-service", "image-service", "notification-service"]) {
        expect(statuses.get(`switchboard/services/${service}/status`)?.status).toBe("online");
      }
    } finally {
      await presence.close();
    }
  });
});
