import { setTimeout as sleep } from "node:timers/promises";
import type { Registry } from "@bufbuild/protobuf";
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage, RetryOptions } from "kafkajs";
import type { Logger } from "pino";
import { decodeEvent, EventDecodeError } from "../cloudevents.js";
import type { CloudEvent, EventHandler, Subscription } from "../port.js";
import { fromKafkaHeaders } from "./kafka-headers.js";
import type { KafkaSender } from "./kafka-sender.js";
import type { KafkaTopics } from "./kafka-topics.js";

/** How a subscription retries a failing handler before dead-lettering the record. */
export interface KafkaHandlerRetry {
  /** Handler calls per record, the first included (default 5). */
  attempts: number;
  /** Wait before the first retry; doubles each time up to maxBackoffMs (default 200). */
  initialBackoffMs: number;
  /** Default 5000. */
  maxBackoffMs: number;
}

export interface KafkaConsumerDeps {
  kafka: Kafka;
  registry: Registry;
  logger: Logger;
  sender: KafkaSender;
  topics: KafkaTopics;
  retry: RetryOptions;
  handlerRetry: KafkaHandlerRetry;
  /** Partitions handled at once (each one still strictly in order). */
  partitionsConsumedConcurrently: number;
  /** Longest a fetch waits on the broker for new records; a closing consumer waits for it too. */
  fetchMaxWaitMs: number;
  /** How long the group waits for a silent member before giving its partitions to others. */
  sessionTimeoutMs: number;
}

export interface KafkaSubscribeSettings {
  /** One group member reads all of these (members of a group must subscribe alike). */
  topics: readonly string[];
  group: string;
  fromBeginning: boolean;
  handler: EventHandler;
}

/** The suffix of the topic that receives the records a consumer gave up on. */
export const KAFKA_DEAD_LETTER_SUFFIX = ".dlq";
/** Set on dead-lettered records: why the record was given up on (a CloudEvents extension). */
export const KAFKA_ERROR_MESSAGE_HEADER = "ce_errormessage";
/** Set on dead-lettered records: "<topic>/<partition>/<offset>" of the original. */
export const KAFKA_ORIGIN_HEADER = "dlq-origin";

/** Longest wait between two heartbeats while backing off (under kafkajs's 3 s heartbeat interval). */
const HEARTBEAT_STEP_MS = 1_000;

/**
 * One consumer-group member on one topic. Records of a partition are handled strictly one after
 * another and the partition's offset is committed after each record's handler resolved (at least
 * once). A failing handler is retried in place, with backoff, so the partition waits rather than
 * skipping the record; once the attempts are used up — or at once for a record that is not a valid
 * event — the record is copied to `<topic>.dlq` (Kafka has no dead-letter queue of its own) and
 * committed.
 */
export class KafkaSubscription implements Subscription {
  readonly #deps: KafkaConsumerDeps;
  readonly #settings: KafkaSubscribeSettings;
  readonly #consumer: Consumer;
  readonly #logger: Logger;
  /** Aborts the backoff waits when the subscription closes. */
  readonly #closing = new AbortController();
  #closed: Promise<void> | undefined;
  #joined = false;

  private constructor(deps: KafkaConsumerDeps, settings: KafkaSubscribeSettings) {
    this.#deps = deps;
    this.#settings = settings;
    this.#logger = deps.logger.child({ topics: settings.topics.join(","), group: settings.group });
    this.#consumer = deps.kafka.consumer({
      groupId: settings.group,
      allowAutoTopicCreation: false,
      retry: {
        ...deps.retry,
        // kafkajs restarts a crashed consumer by itself; not while subscribing (the caller gets
        // the error instead) nor once closing (it would come back after disconnect).
        restartOnFailure: async () => this.#joined && !this.#closing.signal.aborted,
      },
      maxWaitTimeInMs: deps.fetchMaxWaitMs,
      sessionTimeout: deps.sessionTimeoutMs,
    });
  }

  /** Subscribes and resolves once the consumer has joined its group and holds its partitions. */
  static async start(deps: KafkaConsumerDeps, settings: KafkaSubscribeSettings): Promise<KafkaSubscription> {
    const subscription = new KafkaSubscription(deps, settings);
    try {
      await subscription.#run();
    } catch (error) {
      await subscription.close().catch(() => undefined);
      throw error;
    }
    return subscription;
  }

  /** Stops fetching, lets the handler in flight finish (a pending retry is abandoned, uncommitted), and leaves the group. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      this.#closing.abort();
      await this.#consumer.disconnect();
    })();
    return this.#closed;
  }

  async #run(): Promise<void> {
    const consumer = this.#consumer;
    const { events } = consumer;
    const joined = new Promise<void>((resolve, reject) => {
      const removeJoin = consumer.on(events.GROUP_JOIN, () => {
        this.#joined = true;
        removeJoin();
        removeCrash();
        resolve();
      });
      const removeCrash = consumer.on(events.CRASH, ({ payload }) => {
        removeJoin();
        removeCrash();
        reject(payload.error);
      });
    });
    await consumer.connect();
    await consumer.subscribe({
      topics: [...this.#settings.topics],
      fromBeginning: this.#settings.fromBeginning,
    });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.#deps.partitionsConsumedConcurrently,
      eachBatch: (payload) => this.#eachBatch(payload),
    });
    await joined;
  }

  async #eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale } = payload;
    const { topic, partition } = batch;
    for (const message of batch.messages) {
      if (!isRunning() || isStale()) return;
      if (!(await this.#handle(topic, partition, message, payload))) return;
      resolveOffset(message.offset);
      const next = (BigInt(message.offset) + 1n).toString();
      await commitOffsetsIfNecessary({ topics: [{ topic, partitions: [{ partition, offset: next }] }] });
      await heartbeat();
    }
  }

  /** Handles one record: true once it is done with (handled or dead-lettered), false if the subscription is closing. */
  async #handle(
    topic: string,
    partition: number,
    message: KafkaMessage,
    payload: EachBatchPayload,
  ): Promise<boolean> {
    const { handler } = this.#settings;
    const { attempts } = this.#deps.handlerRetry;
    const where = { topic, partition, offset: message.offset };
    let event: CloudEvent;
    try {
      event = decodeEvent(fromKafkaHeaders(message.headers), plainBytes(message.value), this.#deps.registry);
    } catch (error) {
      if (!(error instanceof EventDecodeError)) throw error;
      this.#logger.error({ ...where, err: error }, "malformed kafka record; dead-lettered");
      await this.#deadLetter(topic, partition, message, error);
      return true;
    }
    const about = { ...where, eventId: event.id, eventType: event.type };
    for (let attempt = 0; ; attempt++) {
      const started = performance.now();
      try {
        await handler(event, { topic, redeliveries: attempt });
        const ms = Math.round(performance.now() - started);
        this.#logger.info({ ...about, redeliveries: attempt, ms }, "event handled");
        return true;
      } catch (error) {
        if (attempt + 1 >= attempts) {
          this.#logger.error(
            { ...about, attempts, err: error },
            "poison event: handler kept failing; dead-lettered",
          );
          await this.#deadLetter(topic, partition, message, error);
          return true;
        }
        this.#logger.warn({ ...about, attempt, err: error }, "event handler failed; retrying");
        if (!(await this.#backOff(attempt, payload))) return false;
      }
    }
  }

  /** Waits before retry number `attempt + 1`, heartbeating so the group keeps the partition here. */
  async #backOff(attempt: number, { heartbeat, isRunning }: EachBatchPayload): Promise<boolean> {
    const { initialBackoffMs, maxBackoffMs } = this.#deps.handlerRetry;
    let remaining = Math.min(initialBackoffMs * 2 ** attempt, maxBackoffMs);
    while (remaining > 0) {
      const step = Math.min(remaining, HEARTBEAT_STEP_MS);
      try {
        await sleep(step, undefined, { signal: this.#closing.signal });
      } catch {
        return false;
      }
      if (!isRunning()) return false;
      // Throws when the group is rebalancing: kafkajs then rejoins and the record stays uncommitted.
      await heartbeat();
      remaining -= step;
    }
    return true;
  }

  /** Copies the record, as it was, to `<topic>.dlq`, saying why; resolves once Kafka has it. */
  async #deadLetter(topic: string, partition: number, message: KafkaMessage, error: unknown): Promise<void> {
    const deadLetters = topic + KAFKA_DEAD_LETTER_SUFFIX;
    await this.#deps.topics.ensure(deadLetters);
    await this.#deps.sender.send(deadLetters, {
      key: message.key,
      value: message.value,
      headers: {
        ...message.headers,
        [KAFKA_ERROR_MESSAGE_HEADER]: error instanceof Error ? error.message : String(error),
        [KAFKA_ORIGIN_HEADER]: `${topic}/${partition}/${message.offset}`,
      },
    });
  }
}

/** The record value as a plain Uint8Array view (no copy), so decoded `bytes` fields are not Buffers. */
function plainBytes(value: Buffer | null): Uint8Array {
  return value ? new Uint8Array(value.buffer, value.byteOffset, value.byteLength) : new Uint8Array();
}
