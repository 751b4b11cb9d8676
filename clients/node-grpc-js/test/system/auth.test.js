// Identity against the running system, from the stock client: anonymous and forged callers are
// UNAUTHENTICATED, one user cannot reach another's record, images or notifications
// (PERMISSION_DENIED), and refresh tokens rotate — a reused one revokes the whole login.
import { describe, expect, it } from "vitest";
import { upload } from "../../examples/images.js";
import { png } from "../../examples/png.js";
import { call, callServerStream, connect, tlsFromEnv } from "../../src/index.js";
import { addresses, admin, allUp, clients, newUser, title } from "./running-system.js";

const UNAUTHENTICATED = 16;
const PERMISSION_DENIED = 7;

describe.skipIf(!allUp("users"))(title("identity from a stock grpc-js client: users", "users"), () => {
  it("refuses anonymous and forged callers with UNAUTHENTICATED", async () => {
    const target = await newUser("Target");
    await expect(call(clients.users, "GetUser", { id: target.user.id })).rejects.toMatchObject({
      code: UNAUTHENTICATED,
    });
    const forged = connect({ ...addresses, tls: tlsFromEnv(), token: () => "not.a.jwt" });
    try {
      await expect(call(forged.users, "GetUser", { id: target.user.id })).rejects.toMatchObject({
        code: UNAUTHENTICATED,
      });
    } finally {
      forged.close();
    }
  });

  it("keeps user A out of user B's record and out of admin-only listing; the admin reads B", async () => {
    const [a, b] = [await newUser("A"), await newUser("B")];
    await expect(call(a.users, "GetUser", { id: b.user.id })).rejects.toMatchObject({
      code: PERMISSION_DENIED,
    });
    await expect(call(a.users, "DeleteUser", { id: b.user.id })).rejects.toMatchObject({
      code: PERMISSION_DENIED,
    });
    const listing = await callServerStream(a.users, "ListUsers", { query: b.user.name });
    await expect(
      (async () => {
        for await (const _ of listing);
      })(),
    ).rejects.toMatchObject({ code: PERMISSION_DENIED });
    expect((await call(admin.users, "GetUser", { id: b.user.id })).user.id).toBe(b.user.id);
  });

  it("rotates refresh tokens, and a replayed one revokes the login", async () => {
    const me = await newUser("Rotating");
    const retired = me.session.refreshToken;
    await me.session.refresh();
    expect(me.session.refreshToken).not.toBe(retired);
    expect((await call(me.users, "GetUser", { id: me.user.id })).user.id).toBe(me.user.id);
    await expect(call(clients.auth, "Refresh", { refreshToken: retired })).rejects.toMatchObject({
      code: UNAUTHENTICATED,
    });
    await expect(me.session.refresh()).rejects.toMatchObject({ code: UNAUTHENTICATED });
  });
});

describe.skipIf(!allUp("users", "images", "notifications"))(
  title("identity from a stock grpc-js client: images and notifications", "users", "images", "notifications"),
  () => {
    it("keeps user A out of user B's images and notifications; sending is not for users", async () => {
      const [a, b] = [await newUser("A"), await newUser("B")];
      const image = await upload(b, png(16, 16));
      const denied = { code: PERMISSION_DENIED };
      await expect(call(a.images, "GetImage", { imageId: image.id })).rejects.toMatchObject(denied);
      await expect(upload(a, png(8, 8), b.user.id)).rejects.toMatchObject(denied);
      await expect(call(a.notifications, "ListNotifications", { userId: b.user.id })).rejects.toMatchObject(
        denied,
      );
      await expect(
        call(a.notifications, "SendNotification", { userId: b.user.id, title: "spoof", body: "from A" }),
      ).rejects.toMatchObject(denied);
      expect((await call(admin.images, "GetImage", { imageId: image.id })).image.ownerId).toBe(b.user.id);
    });
  },
);
