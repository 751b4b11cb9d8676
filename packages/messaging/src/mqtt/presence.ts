import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Logger } from "pino";
import { eventRegistry } from "../event-registry.js";
import { type MqttAccount, MqttBroker } from "./mqtt-broker.js";

export interface PresenceOptions {
  mqttUrl: string;
  /** The service's own account (it may publish its status topic). */
  account?: MqttAccount;
  /** The service's name, e.g. "user-service". */
  service: string;
  logger: Logger;
  /** Seconds of silence before the broker declares the service gone (default 10). */
  keepaliveSeconds?: number;
}

export interface Presence {
  /** Publishes "offline" and disconnects cleanly. */
  stop(): Promise<void>;
}

export const presenceTopic = (service: string) => `switchboard/services/${service}/status`;

/**
 * A service's presence on MQTT: a retained status on `switchboard/services/{name}/status` —
 * "online" (with pid and start time) when it starts, "offline" when it stops cleanly, and the
 * same "offline" as its last will, which the broker publishes when the service crashes or its
 * connection dies. Retained, so a newcomer reads every service's state at once.
 */
export function startPresence(options: PresenceOptions): Presence {
  const topic = presenceTopic(options.service);
  const offline = JSON.stringify({ status: "offline", service: options.service });
  const mqtt = new MqttBroker({
    url: options.mqttUrl,
    ...(options.account ? { account: options.account } : {}),
    // Unique per process: pids repeat across containers (each replica's node is pid 7 under tini),
    // and two clients with one id knock each other off the broker, publishing the will each time.
    clientId: `${options.service}-presence-${hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`,
    clean: true,
    keepaliveSeconds: options.keepaliveSeconds ?? 10,
    source: `/switchboard/${options.service}`,
    registry: eventRegistry,
    logger: options.logger,
    will: { topic, payload: offline, qos: 1, retain: true },
  });
  const online = {
    status: "online",
    service: options.service,
    pid: process.pid,
    startedAt: new Date().toISOString(),
  };
  // Not awaited: a service must start (and serve) even while the MQTT broker is down; the client
  // publishes once it connects.
  mqtt.publishRaw(topic, JSON.stringify(online), { qos: 1, retain: true }).then(
    () => options.logger.info({ topic }, "presence online"),
    (error: Error) => options.logger.warn({ topic, err: error.message }, "presence not published"),
  );
  const within = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref());
  return {
    async stop() {
      await Promise.race([
        mqtt.publishRaw(topic, offline, { qos: 1, retain: true }).catch(() => undefined),
        within(2_000),
      ]);
      await Promise.race([mqtt.close(), within(1_000)]);
    },
  };
}
