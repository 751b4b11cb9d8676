import { randomUUID } from "node:crypto";
import { stat } from "node:fs/promises";
import { fromBinary } from "@bufbuild/protobuf";
import { notificationTopic } from "@switchboard/messaging";
import {
  DeliveryState,
  NotificationSchema,
} from "@switchboard/proto/switchboard/notification/v1/notification_pb.js";
import { type PrivateMosquitto, startPrivateMosquitto } from "@switchboard/testing";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startNotificationService } from "./harness.js";

// A Mosquitto of this file's own (infra/brokers.sh: accounts, no anonymous clients): this test kills
// it, which it must never do to the shared one other tests and engineers use.
let broker: PrivateMosquitto;
let service: Awaited<ReturnType<typeof startNotificationService>>;

beforeAll(async () => {
  broker = await startPrivateMosquitto();
  service = await startNotificationService({ mqttUrl: broker.url });
}, 180_000);
afterAll(async () => {
  await service?.close();
  await broker?.stop();
});

describe("notification-service through an MQTT broker crash", () => {
  it("delivers over MQTT after the broker comes back, logging in again with its account: nothing lost", async () => {
    const client = service.client(undefined, { timeoutMs: 60_000 });
    const userId = randomUUID();
    // A persistent session: the broker keeps the subscription and queues QoS 1 messages across an outage.
    const inbox = await mqtt.connectAsync(broker.adminUrl, {
      protocolVersion: 5,
      reconnectPeriod: 200,
      clientId: `inbox-${randomUUID().slice(0, 8)}`,
      clean: false,
      properties: { sessionExpiryInterval: 300 },
    });
    const received = new Set<string>();
    inbox.on("message", (_topic, payload) => received.add(fromBinary(NotificationSchema, payload).id));
    await inbox.subscribeAsync(notificationTopic(userId), { qos: 1 });
    // Mosquitto writes its sessions to disk every second (infra's autosave): wait until a save
    // that began after the SUBACK is on disk, as a subscriber connected a while would be saved.
    await savedAfter(broker.persistenceFile, Date.now() + 100);
    await broker.kill();
    const sent: string[] = [];
    for (let i = 0; i < 3; i++)
      sent.push((await client.sendNotification({ userId, title: `down ${i}`, body: "" })).notification!.id);
    await broker.restart();
    const deadline = Date.now() + 30_000;
    while (!sent.every((id) => received.has(id)) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
    // On failure, say which arrived and what the service logged about MQTT, not just "timed out".
    expect(
      sent.filter((id) => !received.has(id)),
      service.lines
        .map((line) => JSON.stringify(line))
        .filter((line) => /mqtt|deliver/i.test(line))
        .join("\n"),
    ).toEqual([]);
    await inbox.endAsync();
    const history = await client.listNotifications({ userId });
    expect(history.notifications.map((n) => n.deliveryState)).toEqual(
      sent.map(() => DeliveryState.DELIVERED),
    );
  }, 60_000);
});

async function savedAfter(file: string, since: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const saved = await stat(file).then(
      (s) => s.mtimeMs,
      () => 0,
    );
    if (saved > since) return;
    if (Date.now() > deadline) throw new Error(`Mosquitto did not save its sessions to ${file}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
