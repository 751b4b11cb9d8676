import type { DescMessage, Registry } from "@bufbuild/protobuf";
import { Kafka, logLevel, type RetryOptions } from "kafkajs";
import type { Logger } from "pino";
import { encodeEvent } from "../cloudevents.js";
import type {
  CloudEvent,
  EventHandler,
  MessageBroker,
  OutgoingEvent,
  PublishOptions,
  SubscribeOptions,
  Subscription,
  Topics,
} from "../port.js";
import { type KafkaHandlerRetry, KafkaSubscription } from "./kafka-consumer.js";
import { toKafkaHeaders } from "./kafka-headers.js";
import { pinoLogCreator } from "./kafka-logger.js";
import { KafkaSender } from "./kafka-sender.js";
import { KafkaTopics } from "./kafka-topics.js";

export {
  KAFKA_DEAD_LETTER_SUFFIX,
  KAFKA_ERROR_MESSAGE_HEADER,
  KAFKA_ORIGIN_HEADER,
  type KafkaHandlerRetry,
} from "./kafka-consumer.js";
export { KAFKA_CONTENT_TYPE_HEADER, KAFKA_PREFIX } from "./kafka-headers.js";

export interface KafkaBrokerOptions {
  /** Bootstrap servers, "host:port". */
  brokers: string[];
  /** Names this client to Kafka, and is the consumer group of a subscription that names none. */
  clientId: string;
  /** The CloudEvents `source` of everything published through this handle. */
  source: string;
  /** Message types that consumed events' data can be decoded with. */
  registry: Registry;
  logger: Logger;
  /** TCP connect timeout (default 3000). */
  connectionTimeoutMs?: number;
  /** Timeout of each Kafka request, and the acks=all wait of a produce (default 30000). */
  requestTimeoutMs?: number;
  /**
   * kafkajs's retries of each request (connect, produce, admin). The defaults fail a publish within
   * seconds while Kafka is down, for the caller (the outbox relay) to retry.
   */
  retry?: RetryOptions;
  /** Partitions of the topics this handle creates (default 3). */
  partitions?: number;
  /** In-process retries of a failing handler before the record is dead-lettered. */
  handlerRetry?: Partial<KafkaHandlerRetry>;
  /** Partitions a subscription handles at once, each still in order (default 3). */
  partitionsConsumedConcurrently?: number;
  /**
   * How long a fetch may wait on the broker for new records (default 500, the Java client's
   * fetch.max.wait.ms; kafkajs's own 5000 would make every Subscription.close() wait up to 5 s).
   */
  fetchMaxWaitMs?: number;
  /**
   * How long the group coordinator waits for a silent member (default 30000). After a broker
   * crash the old members are silent: a restarted consumer gets its partitions once they expire.
   */
  sessionTimeoutMs?: number;
}

const DEFAULT_RETRY: RetryOptions = { initialRetryTime: 200, maxRetryTime: 2_000, retries: 4 };

/**
 * The MessageBroker port over Kafka (kafkajs), CloudEvents Kafka binding in binary mode.
 *
 * publish: idempotent producer, acks = all, key = the event's subject (per-key order); resolves
 * once the broker acknowledged. subscribe: one consumer-group member per call, offsets committed
 * after the handler succeeded; failing handlers are retried in place and then dead-lettered to
 * `<topic>.dlq` (see KafkaSubscription). Topics are created on first use with `partitions` partitions.
 */
export class KafkaBroker implements MessageBroker {
  readonly kind = "kafka";
  readonly #options: KafkaBrokerOptions;
  readonly #kafka: Kafka;
  readonly #retry: RetryOptions;
  readonly #topics: KafkaTopics;
  readonly #sender: KafkaSender;
  readonly #subscriptions = new Set<KafkaSubscription>();
  #closed = false;

  constructor(options: KafkaBrokerOptions) {
    this.#options = options;
    this.#retry = { ...DEFAULT_RETRY, ...options.retry };
    const requestTimeout = options.requestTimeoutMs ?? 30_000;
    this.#kafka = new Kafka({
      brokers: options.brokers,
      clientId: options.clientId,
      connectionTimeout: options.connectionTimeoutMs ?? 3_000,
      requestTimeout,
      retry: this.#retry,
      logLevel: logLevel.WARN,
      logCreator: pinoLogCreator(options.logger),
    });
    this.#topics = new KafkaTopics(this.#kafka, options.partitions ?? 3);
    this.#sender = new KafkaSender(this.#kafka, options.logger, this.#retry, requestTimeout);
  }

  async publish<Desc extends DescMessage>(
    topic: string,
    event: OutgoingEvent<Desc>,
    _options?: PublishOptions,
  ): Promise<CloudEvent> {
    this.#assertOpen();
    const encoded = encodeEvent(event, this.#options.source);
    await this.#topics.ensure(topic);
    await this.#sender.send(topic, {
      key: encoded.event.subject ?? null,
      value: Buffer.from(encoded.body),
      headers: toKafkaHeaders(encoded.attributes),
    });
    return encoded.event;
  }

  /**
   * Several topics make one group member reading them all — how a group consumes more than one
   * topic. The group is `options.group`, else the clientId (a service consumes as itself).
   */
  async subscribe(
    topic: Topics,
    handler: EventHandler,
    options: SubscribeOptions = {},
  ): Promise<Subscription> {
    this.#assertOpen();
    const topics = typeof topic === "string" ? [topic] : topic;
    for (const name of topics) await this.#topics.ensure(name);
    const { handlerRetry } = this.#options;
    const subscription = await KafkaSubscription.start(
      {
        kafka: this.#kafka,
        registry: this.#options.registry,
        logger: this.#options.logger,
        sender: this.#sender,
        topics: this.#topics,
        retry: this.#retry,
        handlerRetry: {
          attempts: handlerRetry?.attempts ?? 5,
          initialBackoffMs: handlerRetry?.initialBackoffMs ?? 200,
          maxBackoffMs: handlerRetry?.maxBackoffMs ?? 5_000,
        },
        partitionsConsumedConcurrently: this.#options.partitionsConsumedConcurrently ?? 3,
        fetchMaxWaitMs: this.#options.fetchMaxWaitMs ?? 500,
        sessionTimeoutMs: this.#options.sessionTimeoutMs ?? 30_000,
      },
      {
        topics,
        group: options.group ?? this.#options.clientId,
        fromBeginning: options.fromBeginning ?? true,
        handler,
      },
    );
    this.#subscriptions.add(subscription);
    return {
      close: async () => {
        this.#subscriptions.delete(subscription);
        await subscription.close();
      },
    };
  }

  /** Closes every subscription (in-flight handlers finish first), then the producer and the admin client. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([...this.#subscriptions].map((subscription) => subscription.close()));
    this.#subscriptions.clear();
    await this.#sender.close();
    await this.#topics.close();
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error("the Kafka broker handle is closed");
  }
}
