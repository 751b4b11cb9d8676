/**
 * The access table across the running services, seen from outside: no token → UNAUTHENTICATED on
 * every service; user A cannot reach user B's record, images or notifications (PERMISSION_DENIED),
 * nor send notifications; the admin can read them all. (MQTT: a person's credentials reach only its
 * own topic — person-mqtt.test.ts.)
 */
import { createHash } from "node:crypto";
import { Code, ConnectError } from "@connectrpc/connect";
import { ImageService } from "@switchboard/proto/switchboard/image/v1/image_service_pb.js";
import { NotificationService } from "@switchboard/proto/switchboard/notification/v1/notification_service_pb.js";
import { UserService } from "@switchboard/proto/switchboard/user/v1/user_service_pb.js";
import { pngOf } from "@switchboard/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { adminLogin, clientOf, logIn, type Session, signUp, system } from "./system.js";

/** The gRPC code a call failed with (or "OK"). */
async function codeOf(call: () => Promise<unknown>): Promise<Code | "OK"> {
  try {
    await call();
    return "OK";
  } catch (error) {
    return ConnectError.from(error).code;
  }
}

/** A whole image uploaded in one chunk (UploadImage is a client stream). */
async function upload(session: Session, bytes: Uint8Array, ownerId?: string) {
  const { image } = await session.images.uploadImage(
    (async function* () {
      yield {
        data: {
          case: "metadata" as const,
          value: {
            filename: "a.png",
            sizeBytes: BigInt(bytes.length),
            sha256: createHash("sha256").update(bytes).digest("hex"),
            ...(ownerId ? { ownerId } : {}),
          },
        },
      };
      yield { data: { case: "chunk" as const, value: bytes } };
    })(),
  );
  if (!image) throw new Error("no image");
  return image;
}

let a: Awaited<ReturnType<typeof signUp>>;
let b: Awaited<ReturnType<typeof signUp>>;
let admin: Session;
beforeAll(async () => {
  [a, b, admin] = await Promise.all([signUp("A"), signUp("B"), logIn(adminLogin)]);
});

describe("access across services", () => {
  it("no token: UNAUTHENTICATED from every service", async () => {
    const noToken = {
      users: clientOf(UserService, system.users),
      images: clientOf(ImageService, system.images),
      notifications: clientOf(NotificationService, system.notifications),
    };
    expect(await codeOf(() => noToken.users.getUser({ id: a.user.id }))).toBe(Code.Unauthenticated);
    expect(await codeOf(() => noToken.images.listImages({ ownerId: a.user.id }))).toBe(Code.Unauthenticated);
    expect(await codeOf(() => noToken.notifications.listNotifications({ userId: a.user.id }))).toBe(
      Code.Unauthenticated,
    );
  });

  it("user A cannot read, change or list user B, and only sees itself", async () => {
    expect((await a.users.getUser({ id: a.user.id })).user?.id).toBe(a.user.id);
    expect(await codeOf(() => a.users.getUser({ id: b.user.id }))).toBe(Code.PermissionDenied);
    expect(await codeOf(() => a.users.deleteUser({ id: b.user.id }))).toBe(Code.PermissionDenied);
    expect(
      await codeOf(async () => {
        for await (const _ of a.users.listUsers({ query: b.user.name }));
      }),
    ).toBe(Code.PermissionDenied);
    expect((await admin.users.getUser({ id: b.user.id })).user?.name).toBe(b.user.name);
  });

  it("user A cannot see, process, delete or upload as user B's images; the admin can see them", async () => {
    const image = await upload(b, pngOf(8, 8));
    expect(image.ownerId).toBe(b.user.id);
    const denied = Code.PermissionDenied;
    expect(await codeOf(() => a.images.getImage({ imageId: image.id }))).toBe(denied);
    expect(await codeOf(() => a.images.listImages({ ownerId: b.user.id }))).toBe(denied);
    expect(await codeOf(() => a.images.deleteImage({ imageId: image.id }))).toBe(denied);
    expect(await codeOf(() => upload(a, pngOf(4, 4), b.user.id))).toBe(denied);
    expect((await a.images.listImages({})).images.map((i) => i.id)).not.toContain(image.id);
    expect((await admin.images.getImage({ imageId: image.id })).image?.ownerId).toBe(b.user.id);
  });

  it("user A cannot read user B's notifications nor send any; the admin sends, B reads", async () => {
    const denied = Code.PermissionDenied;
    expect(await codeOf(() => a.notifications.listNotifications({ userId: b.user.id }))).toBe(denied);
    expect(
      await codeOf(() => a.notifications.sendNotification({ userId: b.user.id, title: "spoof", body: "A" })),
    ).toBe(denied);
    const { notification } = await admin.notifications.sendNotification({
      userId: b.user.id,
      title: "from the admin",
      body: "e2e",
    });
    const { notifications } = await b.notifications.listNotifications({ userId: b.user.id });
    expect(notifications.map((n) => n.id)).toContain(notification?.id);
  });
});
