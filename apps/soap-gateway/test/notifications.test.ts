/**
 * NotificationService through the gateway against the real notification-service and real brokers:
 * SendNotification (the admin's) answers the stored notification (map `data` and enums included),
 * the service's delivery worker takes it through RabbitMQ and Mosquitto, and ListNotifications (the
 * recipient's own) shows it delivered, one page at a time — over both bindings.
 */
import { until } from "@switchboard/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Dynamic, grpcStatus, soapPort } from "./node-soap.js";
import { signUp } from "./soap-call.js";
import { type SystemUnderTest, startSystem } from "./system.js";

let system: SystemUnderTest;
beforeAll(async () => {
  system = await startSystem({ notifications: true });
}, 60_000);
afterAll(async () => {
  await system?.close();
});

/** node-soap gives one element for a single repeated item, an array for more, nothing for none. */
const list = (value: Dynamic): Dynamic[] => (value === undefined ? [] : [value].flat());
/** A map field arrives as its entries, `<key>`/`<value>` pairs. */
const entries = (value: Dynamic) => Object.fromEntries(list(value).map((e) => [e.key, e.value]));

for (const version of ["1.1", "1.2"] as const) {
  describe(`SOAP ${version}`, () => {
    it("sends a notification, which the service delivers, and lists it delivered", async () => {
      const notifications = await soapPort(system.url, "NotificationService", version, system.admin.security);
      const recipient = await signUp(system.url);
      const userId = recipient.id;
      const asRecipient = await soapPort(system.url, "NotificationService", version, recipient.security);
      const sent = await notifications.SendNotification!({
        userId,
        title: "Hola",
        body: `through SOAP ${version}`,
        data: [
          { key: "link", value: "https://example.com/a?b=1&c=<2>" },
          { key: "tag", value: version },
        ],
      });
      expect(sent.notification).toMatchObject({
        userId,
        kind: "NOTIFICATION_KIND_DIRECT",
        title: "Hola",
        body: `through SOAP ${version}`,
        deliveryState: "DELIVERY_STATE_PENDING",
      });
      expect(entries(sent.notification.data)).toEqual({
        link: "https://example.com/a?b=1&c=<2>",
        tag: version,
      });
      const id = sent.notification.id as string;

      // The outbox relay queues it on RabbitMQ; the worker publishes it over MQTT and marks it so.
      let listed: Dynamic;
      await until(async () => {
        listed = await asRecipient.ListNotifications!({ userId });
        return list(listed.notifications)[0]?.deliveryState === "DELIVERY_STATE_DELIVERED";
      }, 100);
      const [only, ...others] = list(listed.notifications);
      expect(others).toEqual([]);
      expect(only).toMatchObject({ id, userId, title: "Hola", kind: "NOTIFICATION_KIND_DIRECT" });
      expect(entries(only.data)).toEqual({ link: "https://example.com/a?b=1&c=<2>", tag: version });
    }, 30_000);
  });
}

describe("ListNotifications", () => {
  it("pages a user's notifications, newest first, with the token of the next page", async () => {
    const notifications = await soapPort(system.url, "NotificationService", "1.1", system.admin.security);
    const recipient = await signUp(system.url);
    const userId = recipient.id;
    for (const n of [1, 2, 3]) await notifications.SendNotification!({ userId, title: `n${n}` });
    const asRecipient = await soapPort(system.url, "NotificationService", "1.1", recipient.security);
    const first = await asRecipient.ListNotifications!({ userId, pageSize: 2 });
    expect(list(first.notifications).map((n) => n.title)).toEqual(["n3", "n2"]);
    expect(first.nextPageToken).not.toBe("");
    const second = await asRecipient.ListNotifications!({
      userId,
      pageSize: 2,
      pageToken: first.nextPageToken,
    });
    expect(list(second.notifications).map((n) => n.title)).toEqual(["n1"]);
    expect(second.nextPageToken ?? "").toBe("");
  });

  it("answers the service's INVALID_ARGUMENT for a missing userId as a Client Fault naming the field", async () => {
    const someone = await signUp(system.url);
    const notifications = await soapPort(system.url, "NotificationService", "1.1", someone.security);
    const error = await notifications.ListNotifications!({}).catch((e) => e);
    expect(error.root.Envelope.Body.Fault.faultcode).toBe("env:Client");
    const status = grpcStatus(error);
    expect(status).toMatchObject({ code: "3", codeName: "INVALID_ARGUMENT" });
    expect(list(status.fieldViolations).map((v) => v.field)).toContain("user_id");
  });
});
