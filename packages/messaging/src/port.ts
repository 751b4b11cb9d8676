import type { DescMessage, MessageInitShape } from "@bufbuild/protobuf";

/**
 * The one publish/subscribe port every service uses, the same for Kafka, RabbitMQ and MQTT.
 * Handlers never see kafkajs, amqplib or mqtt: they get decoded CloudEvents.
 */

/** A CloudEvent (spec 1.0) whose data is a protobuf message, as services see it. */
export interface CloudEvent<Data = unknown> {
  /** Unique per source; consumers dedup on it (the inbox). */
  id: string;
  /** URI-reference of the producer, e.g. "/switchboard/user-service". */
  source: string;
  /** The data's full protobuf message name, e.g. "switchboard.events.v1.UserCreated". */
  type: string;
  /** What the event is about, e.g. the user id. Also the Kafka key / ordering key. */
  subject?: string;
  time: Date;
  /** Always "application/protobuf". */
  datacontenttype: string;
  /** Extension attributes (e.g. traceparent), string-valued. */
  extensions: Record<string, string>;
  data: Data;
}

/** What a producer supplies; id and time are filled in when absent. */
export interface OutgoingEvent<Desc extends DescMessage = DescMessage> {
  schema: Desc;
  data: MessageInitShape<Desc>;
  /** Ordering / partition key (Kafka key, MQTT has none, AMQP routing key is the topic). */
  subject?: string;
  id?: string;
  time?: Date;
  extensions?: Record<string, string>;
}

export interface PublishOptions {
  /** MQTT only: 0, 1 or 2 (default 1). */
  qos?: 0 | 1 | 2;
  /** MQTT only: keep as the topic's last known value. */
  retain?: boolean;
}

/** Handles one delivered event. Resolving acknowledges it; throwing makes the broker redeliver (or dead-letter). */
export type EventHandler = (event: CloudEvent, delivery: Delivery) => Promise<void>;

export interface Delivery {
  /** Where it came from: Kafka topic, AMQP queue or MQTT topic. */
  topic: string;
  /** How many times it was delivered before (AMQP x-delivery-count / Kafka: 0 / MQTT dup flag as 1). */
  redeliveries: number;
}

/**
 * What a subscription reads: one topic (Kafka topic, AMQP queue, MQTT filter) or several. Kafka
 * reads several as one consumer-group member (how a group consumes more than one topic); AMQP and
 * MQTT subscribe to each, with the same handler.
 */
export type Topics = string | readonly string[];

/**
 * How to subscribe. Each option is read only by the adapters it names; the others have no such
 * notion and ignore it. AMQP reads none (a queue's consumers always compete), so a work-queue
 * consumer passes none.
 */
export interface SubscribeOptions {
  /** Kafka: the consumer group (default: the broker's clientId, i.e. the service's name). */
  group?: string;
  /** Kafka: read from the beginning when the group has no offset (default true). */
  fromBeginning?: boolean;
  /** MQTT: QoS of the subscription (default 1). */
  qos?: 0 | 1 | 2;
}

export interface Subscription {
  /** Stops consuming; in-flight handlers finish first. */
  close(): Promise<void>;
}

export interface MessageBroker {
  /** Which broker: "kafka" | "amqp" | "mqtt". */
  readonly kind: string;
  /** Resolves once the broker confirmed the event (Kafka acks=all, AMQP publisher confirm, MQTT PUBACK/PUBCOMP). */
  publish<Desc extends DescMessage>(
    topic: string,
    event: OutgoingEvent<Desc>,
    options?: PublishOptions,
  ): Promise<CloudEvent>;
  subscribe(topics: Topics, handler: EventHandler, options?: SubscribeOptions): Promise<Subscription>;
  close(): Promise<void>;
}

/** Subscribes to each of `topics` with `one`, as one Subscription: for adapters that read one topic per subscription. */
export async function subscribeEach(
  topics: Topics,
  one: (topic: string) => Promise<Subscription>,
): Promise<Subscription> {
  const subscriptions: Subscription[] = [];
  for (const topic of typeof topics === "string" ? [topics] : topics) subscriptions.push(await one(topic));
  return { close: async () => void (await Promise.all(subscriptions.map((s) => s.close()))) };
}
