import { readFileSync } from "node:fs";
import type { DescService } from "@bufbuild/protobuf";
import { type ClientTlsPem, connectClient } from "@switchboard/testing";
import mqtt, { type MqttClient } from "mqtt";

/**
 * TLS for a system started with `pnpm start --tls`: the CA in SWITCHBOARD_CA_FILE, and the client
 * certificate in SWITCHBOARD_CERT_FILE and SWITCHBOARD_KEY_FILE (mutual TLS). Undefined: plaintext.
 */
const tls: ClientTlsPem | undefined = process.env.SWITCHBOARD_CA_FILE
  ? {
      ca: readFileSync(process.env.SWITCHBOARD_CA_FILE),
      ...(process.env.SWITCHBOARD_CERT_FILE && process.env.SWITCHBOARD_KEY_FILE
        ? {
            cert: readFileSync(process.env.SWITCHBOARD_CERT_FILE),
            key: readFileSync(process.env.SWITCHBOARD_KEY_FILE),
          }
        : {}),
    }
  : undefined;
const scheme = tls ? "https" : "http";

/** Where the running system is: `pnpm start`'s defaults, or SWITCHBOARD_* variables. */
export const system = {
  users: process.env.SWITCHBOARD_USER_URL ?? `${scheme}://127.0.0.1:50051`,
  images: process.env.SWITCHBOARD_IMAGE_URL ?? `${scheme}://127.0.0.1:50052`,
  notifications: process.env.SWITCHBOARD_NOTIFICATION_URL ?? `${scheme}://127.0.0.1:50053`,
  mqtt: process.env.SWITCHBOARD_MQTT_URL ?? "mqtt://127.0.0.1:1883",
};

/**
 * The broker takes no anonymous clients: these tests watch every user's topic and every service's
 * presence, so they log in as the broker's "admin" (infra/'s dev default, or SWITCHBOARD_MQTT_*).
 * A person's own client would use AuthService.GetMqttCredentials instead.
 */
const mqttAccount = {
  username: process.env.SWITCHBOARD_MQTT_USERNAME ?? "admin",
  password: process.env.SWITCHBOARD_MQTT_PASSWORD ?? "switchboard-admin",
};

/** A Connect client (gRPC protocol) of a running service, over TLS when the system serves it. */
export const clientOf = <T extends DescService>(service: T, url: string) =>
  connectClient(service, url, "grpc", { timeoutMs: 30_000, ...(tls ? { tls } : {}) });

/** A plain MQTT 5 subscriber that keeps every message of `topic` (wildcards allowed). */
export async function mqttListener(topic: string) {
  const client: MqttClient = await mqtt.connectAsync(system.mqtt, {
    protocolVersion: 5,
    clean: true,
    ...mqttAccount,
  });
  const messages: { topic: string; payload: Buffer; properties: Record<string, unknown> }[] = [];
  client.on("message", (messageTopic, payload, packet) => {
    messages.push({
      topic: messageTopic,
      payload,
      properties: { ...(packet.properties?.userProperties ?? {}) },
    });
  });
  await client.subscribeAsync(topic, { qos: 1 });
  return { messages, close: () => client.endAsync() };
}

/** Polls `check` until it returns a value (or fails after `timeoutMs`). */
export async function eventually<T>(
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
