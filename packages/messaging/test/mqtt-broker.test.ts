import { randomUUID } from "node:crypto";
import { fromBinary } from "@bufbuild/protobuf";
import { EchoRequestSchema } from "@switchboard/proto/switchboard/echo/v1/echo_pb.js";
import { brokerUrls, ensureBrokers, memoryLogger } from "@switchboard/testing";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MqttBroker, type MqttBrokerOptions } from "../src/mqtt/mqtt-broker.js";
import type { CloudEvent } from "../src/port.js";
import { echoRegistry } from "./kafka-helpers.js";

const open: MqttBroker[] = [];
function mqttBroker(overrides: Partial<MqttBrokerOptions> = {}) {
  const broker = new MqttBroker({
    url: brokerUrls.mqtt,
    clientId: `test-${randomUUID().slice(0, 8)}`,
    source: "/switchboard/messaging-tests",
    registry: echoRegistry,
    logger: memoryLogger("error").logger,
    ...overrides,
  });
  open.push(broker);
  return broker;
}
const topicName = (prefix: string) => `test/${prefix}/${randomUUID().slice(0, 8)}`;
const echo = (text: string) => ({ schema: EchoRequestSchema, data: { text }, subject: text });

/** Subscribes (resolving once the broker acknowledged it) and hands back the next event to arrive. */
async function subscribeNext(
  broker: MqttBroker,
  topic: string,
  qos: 0 | 1 | 2 = 1,
): Promise<{ next: Promise<CloudEvent> }> {
  let arrived!: (event: CloudEvent) => void;
  const next = new Promise<CloudEvent>((resolve) => {
    arrived = resolve;
  });
  await broker.subscribe(topic, async (event) => arrived(event), { qos });
  return { next };
}

beforeAll(async () => {
  await ensureBrokers("mosquitto");
});
afterAll(async () => {
  await Promise.allSettled(open.map((broker) => broker.close()));
});

describe("MqttBroker against a real Mosquitto (MQTT 5)", () => {
  it.each([0, 1, 2] as const)("round-trips a CloudEvent at QoS %i", async (qos) => {
    const topic = topicName(`qos${qos}`);
    const subscriber = mqttBroker();
    const { next } = await subscribeNext(subscriber, topic, qos);
    const sent = await mqttBroker().publish(
      topic,
      { ...echo(`q${qos}`), extensions: { traceparent: "00-t-s-01" } },
      { qos },
    );
    const received = await next;
    expect(received).toMatchObject({
      id: sent.id,
      type: "switchboard.echo.v1.EchoRequest",
      subject: `q${qos}`,
    });
    expect(received.extensions).toEqual({ traceparent: "00-t-s-01" });
    expect(received.data).toMatchObject({ text: `q${qos}` });
  });

  it("carries the CloudEvents MQTT binding: user properties, Content Type, protobuf payload", async () => {
    const topic = topicName("raw");
    const plain = await mqtt.connectAsync(brokerUrls.mqtt, { protocolVersion: 5 });
    await plain.subscribeAsync(topic, { qos: 1 });
    const packet = new Promise<mqtt.IPublishPacket>((resolve) =>
      plain.on("message", (_t, _p, p) => resolve(p)),
    );
    await mqttBroker().publish(topic, echo("raw"));
    const received = await packet;
    await plain.endAsync();
    expect(received.properties?.contentType).toBe("application/protobuf");
    expect(received.properties?.userProperties).toMatchObject({
      specversion: "1.0",
      type: "switchboard.echo.v1.EchoRequest",
      subject: "raw",
    });
    expect(fromBinary(EchoRequestSchema, received.payload as Buffer).text).toBe("raw");
  });

  it.each([
    ["a wildcard in the topic", "test/users/#/notifications", "plain"],
    ["a NUL in the topic", "test/users/a\u0000b", "plain"],
    ["a NUL in an attribute", "test/nul-attribute", "a\u0000b"],
  ])("refuses a publish the broker would drop the connection for (%s) and stays usable", async (_, badTopic, subject) => {
    // Mosquitto answers such a packet by closing the connection, and a persistent session resends
    // it at every reconnect: one bad notification would stop every later one.
    const broker = mqttBroker();
    await expect(broker.publish(badTopic, { ...echo("x"), subject })).rejects.toThrow(/MQTT/);
    const topic = topicName("after-refusal");
    const { next } = await subscribeNext(mqttBroker(), topic);
    const sent = await broker.publish(topic, echo("still works"));
    expect((await next).id).toBe(sent.id);
  });

  it("delivers a retained message to a subscriber that comes later", async () => {
    const topic = topicName("retained");
    const sent = await mqttBroker().publish(topic, echo("last known"), { retain: true });
    expect((await (await subscribeNext(mqttBroker(), topic)).next).id).toBe(sent.id);
  });

  it("publishes the last will when a client vanishes without DISCONNECT", async () => {
    const topic = topicName("will");
    const watcher = await mqtt.connectAsync(brokerUrls.mqtt, { protocolVersion: 5 });
    await watcher.subscribeAsync(topic, { qos: 1 });
    const will = new Promise<string>((resolve) =>
      watcher.on("message", (_t, payload) => resolve(payload.toString())),
    );
    const doomed = mqttBroker({ will: { topic, payload: "offline", qos: 1, retain: false }, clean: true });
    await doomed.publishRaw(topic.replace("will", "alive"), "online");
    doomed.client.stream.destroy(); // a crash: the socket goes, no DISCONNECT
    expect(await will).toBe("offline");
    await watcher.endAsync();
  });

  it("redelivers a QoS 1 message to a persistent session whose client dropped before PUBACK", async () => {
    const topic = topicName("redeliver");
    const clientId = `persistent-${randomUUID().slice(0, 8)}`;
    const first = mqttBroker({ clientId });
    let started!: (id: string) => void;
    const handling = new Promise<string>((resolve) => {
      started = resolve;
    });
    await first.subscribe(
      topic,
      (event) => {
        started(event.id);
        return new Promise(() => undefined); // never finishes: no PUBACK goes out
      },
      { qos: 1 },
    );
    const sent = await mqttBroker().publish(topic, echo("again"));
    expect(await handling).toBe(sent.id);
    first.client.end(true); // drop the connection abruptly, the message still unacknowledged
    const second = mqttBroker({ clientId });
    expect((await (await subscribeNext(second, topic)).next).id).toBe(sent.id);
  });

  it("delivers messages published while a persistent subscriber was offline when it returns", async () => {
    const topic = topicName("offline");
    const clientId = `offline-${randomUUID().slice(0, 8)}`;
    const subscriber = mqttBroker({ clientId });
    await subscriber.subscribe(topic, async () => undefined, { qos: 1 });
    await subscriber.close(); // clean disconnect; the session (and its subscription) stays
    const sent = await mqttBroker().publish(topic, echo("while away"));
    const returned = mqttBroker({ clientId });
    expect((await (await subscribeNext(returned, topic)).next).id).toBe(sent.id);
  });
});
