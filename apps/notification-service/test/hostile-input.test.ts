import { sendHostileCalls } from "@switchboard/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startNotificationService } from "./harness.js";

let service: Awaited<ReturnType<typeof startNotificationService>>;
beforeAll(async () => {
  service = await startNotificationService();
}, 120_000);
afterAll(() => service?.close());

describe("hostile input to every rpc notification-service serves", () => {
  it("never answers INTERNAL or UNKNOWN, and the server stays alive", async () => {
    const outcomes = await sendHostileCalls(service.baseUrl, service.server.services, {
      token: service.adminToken,
    });
    const byStatus = Object.groupBy(outcomes, (o) => String(o.status));
    console.log(
      `notification-service: ${outcomes.length} hostile calls over ${service.server.services.length} services; by grpc-status: ` +
        JSON.stringify(Object.fromEntries(Object.entries(byStatus).map(([s, list]) => [s, list?.length]))),
    );
    // -1: refused at the HTTP/2 level (a stream reset) before any gRPC status — not a fault.
    expect(outcomes.filter((o) => o.status === 2 || o.status === 13)).toEqual([]);
    const client = service.client();
    const userId = crypto.randomUUID();
    await client.sendNotification({ userId, title: "still here" });
    expect((await client.listNotifications({ userId })).notifications.map((n) => n.title)).toEqual([
      "still here",
    ]);
  }, 300_000);

  it("without a token, no call of NotificationService gets past authentication, and none answers INTERNAL", async () => {
    const outcomes = await sendHostileCalls(service.baseUrl, service.server.services);
    const ours = outcomes.filter((o) => o.call.startsWith("switchboard."));
    expect(ours.length).toBeGreaterThan(0);
    // Bytes that are no message at all (and a second message on a unary or server-stream call) are
    // refused by the framework while reading the request, before any interceptor: that is all
    // an anonymous caller may see besides UNAUTHENTICATED — never validation, a lookup or a result.
    const refusedUnread = (o: { status: number; message: string }) =>
      [8, 12, -1].includes(o.status) || (o.status === 3 && o.message.startsWith("request cannot be decoded"));
    expect(ours.filter((o) => o.status !== 16 && !refusedUnread(o))).toEqual([]);
    // Every rpc met a well-formed hostile message with UNAUTHENTICATED.
    const rpcOf = (o: { call: string }) => o.call.split(":")[0];
    expect(new Set(ours.filter((o) => o.status === 16).map(rpcOf))).toEqual(new Set(ours.map(rpcOf)));
    expect(outcomes.filter((o) => o.status === 2 || o.status === 13)).toEqual([]);
  }, 300_000);
});
