/**
 * NotificationService from a stock @grpc/grpc-js client (no Connect code), against the real server
 * on port 0 and an in-memory PGlite. No brokers: notifications reach Subscribe streams through the
 * service's own hub, as the delivery worker hands them over.
 */
import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import type * as grpc from "@grpc/grpc-js";
import { type Database, openDatabase } from "@switchboard/database";
import { NOTIFICATIONS_QUEUE, outboxMigrations } from "@switchboard/messaging";
import {
  DeliveryState,
  NotificationKind,
  NotificationSchema,
} from "@switchboard/proto/switchboard/notification/v1/notification_pb.js";
import {
  ListNotificationsRequestSchema,
  type ListNotificationsResponse,
  NotificationService,
  SendNotificationRequestSchema,
  type SendNotificationResponse,
  SubscribeRequestSchema,
  type SubscribeResponse,
} from "@switchboard/proto/switchboard/notification/v1/notification_service_pb.js";
import {
  grpcJsBearer,
  grpcJsClient,
  memoryLogger,
  serveOnPort0,
  testTokens,
  unary,
  until,
} from "@switchboard/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../src/app.js";
import { notificationMigrations } from "../src/store/migrations.js";
import { NotificationStore } from "../src/store/notification-store.js";

/** The service without its consumers: the outbox rows it writes stay in the database. Its client is an admin's. */
async function startServer(db: Database) {
  const tokens = testTokens();
  const app = buildApp({
    verifier: tokens.verifier,
    logger: memoryLogger().logger,
    store: new NotificationStore(db),
    outbox: { wake() {} },
    deliverQueue: NOTIFICATIONS_QUEUE,
  });
  const served = await serveOnPort0(app.server);
  const client = grpcJsClient(NotificationService, served.address, {
    interceptors: [grpcJsBearer(await tokens.admin())],
  });
  return { ...app, ...served, client };
}

type Service = Awaited<ReturnType<typeof startServer>>;

/** A grpc-js Subscribe call, with what it has received and how it ended. */
function subscribe(service: Service, userId: string) {
  const open = service.client.Subscribe as unknown as (
    request: unknown,
  ) => grpc.ClientReadableStream<SubscribeResponse>;
  const call = open.call(service.client, create(SubscribeRequestSchema, { userId }));
  const received: SubscribeResponse[] = [];
  call.on("data", (response: SubscribeResponse) => received.push(response));
  const ended = new Promise<grpc.StatusObject>((resolve) => call.on("status", resolve));
  call.on("error", () => undefined); // the status event reports it
  return { call, received, ended };
}

let db: Database;
let service: Service;
beforeAll(async () => {
  db = await openDatabase({});
  await db.migrate("notification-service", notificationMigrations);
  await db.migrate("outbox", outboxMigrations);
  service = await startServer(db);
});
afterAll(async () => {
  await service.server.shutdown();
  service.client.close();
  await db.close();
});

describe("every NotificationService rpc from a stock @grpc/grpc-js client", () => {
  it("SendNotification stores a pending direct notification; ListNotifications pages it back", async () => {
    const userId = randomUUID();
    for (const title of ["first", "second", "third"]) {
      const { notification } = await unary<SendNotificationResponse>(
        service.client,
        "SendNotification",
        create(SendNotificationRequestSchema, { userId, title, body: "hello", data: { link: "/inbox" } }),
      );
      expect(notification).toMatchObject({
        userId,
        title,
        kind: NotificationKind.DIRECT,
        deliveryState: DeliveryState.PENDING,
        data: { link: "/inbox" },
      });
    }
    const page1 = await unary<ListNotificationsResponse>(
      service.client,
      "ListNotifications",
      create(ListNotificationsRequestSchema, { userId, pageSize: 2 }),
    );
    const page2 = await unary<ListNotificationsResponse>(
      service.client,
      "ListNotifications",
      create(ListNotificationsRequestSchema, { userId, pageSize: 2, pageToken: page1.nextPageToken }),
    );
    expect([...page1.notifications, ...page2.notifications].map((n) => n.title)).toEqual([
      "third",
      "second",
      "first",
    ]);
    expect(page2.nextPageToken).toBe("");
  });

  it("without a token: UNAUTHENTICATED", async () => {
    const anonymous = grpcJsClient(NotificationService, service.address);
    try {
      const failure = await unary(
        anonymous,
        "ListNotifications",
        create(ListNotificationsRequestSchema, { userId: randomUUID() }),
      ).catch((error: grpc.ServiceError) => error);
      expect(failure).toMatchObject({ code: 16 }); // UNAUTHENTICATED
    } finally {
      anonymous.close();
    }
  });

  it("rejects invalid requests with INVALID_ARGUMENT", async () => {
    const failure = await unary(
      service.client,
      "SendNotification",
      create(SendNotificationRequestSchema, { userId: randomUUID(), title: "" }),
    ).catch((error: grpc.ServiceError) => error);
    expect(failure).toMatchObject({ code: 3 }); // INVALID_ARGUMENT
    const badPage = await unary(
      service.client,
      "ListNotifications",
      create(ListNotificationsRequestSchema, { userId: randomUUID(), pageSize: 101 }),
    ).catch((error: grpc.ServiceError) => error);
    expect(badPage).toMatchObject({ code: 3 });
  });

  it("Subscribe streams a user's notifications to each of their subscribers; a cancelled one is forgotten", async () => {
    const userId = randomUUID();
    const first = subscribe(service, userId);
    const second = subscribe(service, userId);
    await until(() => service.hub.subscriberCount(userId) === 2);
    const notification = create(NotificationSchema, { id: randomUUID(), userId, title: "hi" });
    expect(service.hub.publish(notification)).toBe(2);
    await until(() => first.received.length === 1 && second.received.length === 1);
    expect(first.received[0]?.notification).toMatchObject({ id: notification.id, title: "hi" });
    first.call.cancel();
    expect((await first.ended).code).toBe(1); // CANCELLED
    await until(() => service.hub.subscriberCount(userId) === 1); // the server saw the call go
    second.call.cancel();
    await until(() => service.hub.subscriberCount(userId) === 0);
  });

  it("ends Subscribe streams cleanly when the server drains", async () => {
    const own = await startServer(db);
    const userId = randomUUID();
    const stream = subscribe(own, userId);
    await until(() => own.hub.subscriberCount(userId) === 1);
    await own.server.shutdown();
    expect((await stream.ended).code).toBe(0); // OK: the stream ended, it was not cut off
    own.client.close();
  });
});
