import type { DescMessage, Registry } from "@bufbuild/protobuf";
import mqtt, { type IClientOptions, type IPublishPacket, type MqttClient } from "mqtt";
import type { Logger } from "pino";
import { decodeEvent, type EventAttributes, encodeEvent } from "../cloudevents.js";
import {
  type CloudEvent,
  type EventHandler,
  type MessageBroker,
  type OutgoingEvent,
  type PublishOptions,
  type SubscribeOptions,
  type Subscription,
  subscribeEach,
  type Topics,
} from "../port.js";
import { topicMatches } from "./mqtt-topic.js";

/** Who a client logs in as: the broker takes no anonymous clients. */
export interface MqttAccount {
  username: string;
  password: string;
}

export interface MqttBrokerOptions {
  url: string;
  /** Overrides credentials in `url` (mqtt://user:password@host), if any. */
  account?: MqttAccount;
  /** Fixed per process: with `clean: false`, the broker keeps this client's session (and queued QoS 1/2 messages). */
  clientId: string;
  /** The CloudEvents `source` of everything published through this handle. */
  source: string;
  registry: Registry;
  logger: Logger;
  /** false (default): a persistent session that survives disconnects. */
  clean?: boolean;
  /** How long the broker keeps the session after a disconnect (default 3600 s). */
  sessionExpirySeconds?: number;
  keepaliveSeconds?: number;
  /** Published by the broker if this client vanishes without a clean DISCONNECT. */
  will?: { topic: string; payload: string | Uint8Array; qos: 0 | 1 | 2; retain: boolean };
  /** Attempts of a failing handler before its message is acknowledged and dropped (default 5). */
  handlerAttempts?: number;
}

interface Route {
  filter: string;
  handler: EventHandler;
}

/**
 * MQTT 5 through the one port: reaching devices and people. Events follow the CloudEvents MQTT
 * binding (MQTT 5, binary mode): attributes as user properties, `datacontenttype` as the Content
 * Type property, the protobuf data as the payload. QoS 1/2 messages are acknowledged (PUBACK /
 * PUBREC) only after the handler resolved, so a client that drops mid-handling gets them again
 * from its persistent session. A handler that keeps failing is retried in-process, then its
 * message is acknowledged with a failure reason and logged (MQTT has no dead-letter queue).
 */
export class MqttBroker implements MessageBroker {
  readonly kind = "mqtt";
  readonly #options: MqttBrokerOptions;
  readonly #routes = new Set<Route>();
  #unrouted: {
    topic: string;
    payload: Buffer;
    packet: IPublishPacket;
    acknowledge: (ok: boolean) => void;
  }[] = [];
  readonly #client: MqttClient;

  constructor(options: MqttBrokerOptions) {
    this.#options = options;
    const clientOptions: IClientOptions = {
      protocolVersion: 5,
      clientId: options.clientId,
      clean: options.clean ?? false,
      keepalive: options.keepaliveSeconds ?? 30,
      reconnectPeriod: 1_000,
      connectTimeout: 5_000,
      resubscribe: true,
      properties: { sessionExpiryInterval: options.sessionExpirySeconds ?? 3_600 },
      ...(options.account ? { username: options.account.username, password: options.account.password } : {}),
      ...(options.will
        ? {
            will: {
              topic: options.will.topic,
              payload: Buffer.from(options.will.payload),
              qos: options.will.qos,
              retain: options.will.retain,
            },
          }
        : {}),
      // Runs the handler before the acknowledgement goes out; QoS 0 messages come through "message".
      customHandleAcks: (topic, payload, packet, done) => {
        const acknowledge = (ok: boolean) => done(ok ? 0 : 0x80);
        // A persistent session delivers queued messages right after reconnecting, possibly before
        // subscribe() has registered their handler: hold them (unacknowledged) until it does.
        if (!this.#routed(topic)) this.#unrouted.push({ topic, payload, packet, acknowledge });
        else void this.#dispatch(topic, payload, packet).then(acknowledge);
      },
    };
    this.#client = mqtt.connect(options.url, clientOptions);
    this.#client.on("message", (topic, payload, packet) => {
      if (packet.qos === 0) void this.#dispatch(topic, payload, packet);
    });
    this.#client.on("error", (error) => options.logger.warn({ err: error.message }, "MQTT error"));
    this.#client.on("offline", () => options.logger.warn("MQTT offline; reconnecting"));
  }

  /** The underlying client, for tests that must drop the connection abruptly. */
  get client(): MqttClient {
    return this.#client;
  }

  async publish<Desc extends DescMessage>(
    topic: string,
    event: OutgoingEvent<Desc>,
    options: PublishOptions = {},
  ): Promise<CloudEvent> {
    const { attributes, body, event: cloudEvent } = encodeEvent(event, this.#options.source);
    const { datacontenttype, ...rest } = attributes;
    assertPublishable(topic, Object.values(rest));
    await this.#client.publishAsync(topic, Buffer.from(body), {
      qos: options.qos ?? 1,
      retain: options.retain ?? false,
      properties: { contentType: datacontenttype, userProperties: rest },
    });
    return cloudEvent;
  }

  /** A payload that is not an event (presence status, say), resolving on the broker's acknowledgement. */
  async publishRaw(
    topic: string,
    payload: string | Uint8Array,
    options: { qos?: 0 | 1 | 2; retain?: boolean } = {},
  ): Promise<void> {
    assertPublishable(topic, []);
    await this.#client.publishAsync(topic, Buffer.from(payload), {
      qos: options.qos ?? 1,
      retain: options.retain ?? false,
    });
  }

  /** Subscribes to each filter of `filters` (QoS `options.qos`, default 1). */
  subscribe(filters: Topics, handler: EventHandler, options?: SubscribeOptions): Promise<Subscription> {
    return subscribeEach(filters, (filter) => this.#subscribe(filter, handler, options?.qos ?? 1));
  }

  async #subscribe(filter: string, handler: EventHandler, qos: 0 | 1 | 2): Promise<Subscription> {
    const route: Route = { filter, handler };
    this.#routes.add(route);
    const held = this.#unrouted.filter((message) => topicMatches(filter, message.topic));
    this.#unrouted = this.#unrouted.filter((message) => !held.includes(message));
    for (const { topic, payload, packet, acknowledge } of held)
      void this.#dispatch(topic, payload, packet).then(acknowledge);
    await this.#client.subscribeAsync(filter, { qos });
    return {
      close: async () => {
        this.#routes.delete(route);
        if (![...this.#routes].some((r) => r.filter === filter)) await this.#client.unsubscribeAsync(filter);
      },
    };
  }

  /** A clean DISCONNECT: the broker does not publish the will. */
  async close(): Promise<void> {
    await this.#client.endAsync();
  }

  #routed(topic: string): boolean {
    return [...this.#routes].some((route) => topicMatches(route.filter, topic));
  }

  /** Runs every matching handler; false when one kept failing (the message is then dropped). */
  async #dispatch(topic: string, payload: Buffer, packet: IPublishPacket): Promise<boolean> {
    const routes = [...this.#routes].filter((route) => topicMatches(route.filter, topic));
    if (routes.length === 0) return true;
    let event: CloudEvent;
    try {
      event = decodeEvent(attributesOf(packet), payload, this.#options.registry);
    } catch (error) {
      this.#options.logger.error(
        { topic, err: (error as Error).message },
        "undecodable MQTT message dropped",
      );
      return false;
    }
    const attempts = this.#options.handlerAttempts ?? 5;
    for (const route of routes) {
      for (let attempt = 1; ; attempt++) {
        try {
          await route.handler(event, { topic, redeliveries: (packet.dup ? 1 : 0) + attempt - 1 });
          break;
        } catch (error) {
          if (attempt >= attempts) {
            this.#options.logger.error(
              { topic, eventId: event.id, err: (error as Error).message },
              "MQTT handler failed; dropped",
            );
            return false;
          }
          await new Promise((resolve) => setTimeout(resolve, Math.min(2_000, 50 * 2 ** attempt)));
        }
      }
    }
    return true;
  }
}

function attributesOf(packet: IPublishPacket): EventAttributes {
  const attributes: EventAttributes = {};
  for (const [name, value] of Object.entries(packet.properties?.userProperties ?? {})) {
    attributes[name] = Array.isArray(value) ? String(value[value.length - 1]) : String(value);
  }
  if (packet.properties?.contentType) attributes.datacontenttype = packet.properties.contentType;
  return attributes;
}

/**
 * Refuses what MQTT forbids in a PUBLISH (a wildcard or NUL in the topic name, NUL in any string):
 * Mosquitto answers such a packet by closing the connection, and a persistent session resends it
 * at every reconnect, so one bad message would stall every later one. Refused here, it fails like
 * any other publish (a delivery job is retried, then dead-lettered).
 */
function assertPublishable(topic: string, strings: string[]): void {
  if (topic === "" || /[+#]/.test(topic) || topic.includes("\u0000")) {
    throw new Error(`MQTT topic name ${JSON.stringify(topic)} is empty or holds a wildcard or NUL`);
  }
  if (strings.some((value) => value.includes("\u0000"))) {
    throw new Error(`MQTT user properties for ${JSON.stringify(topic)} hold a NUL character`);
  }
}
