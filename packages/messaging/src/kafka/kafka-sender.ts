import { type Kafka, type Message, Partitioners, type Producer, type RetryOptions } from "kafkajs";
import type { Logger } from "pino";

/** Largest number of records sent in one produce request. */
const MAX_BATCH = 200;

interface Pending {
  topic: string;
  message: Message;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Sends records through one idempotent producer (acks = all), one produce request at a time;
 * records queued while a request is in flight go out together in the next one.
 *
 * Why one at a time, and a new producer after a failure: kafkajs numbers each partition's
 * batches and, when a request fails, gives the number back for the next batch. If the broker had
 * in fact written the failed batch (it crashed before answering), a *different* batch sent with
 * that number would be taken for a retry of it — acknowledged, and silently dropped. Serial
 * requests mean only the same batch can reuse its number within kafkajs's own retries; once a
 * send has failed, the producer is replaced, and a new producer id starts a fresh sequence.
 */
export class KafkaSender {
  readonly #kafka: Kafka;
  readonly #logger: Logger;
  readonly #retry: RetryOptions;
  readonly #requestTimeoutMs: number;
  #queue: Pending[] = [];
  #pumping: Promise<void> | undefined;
  #producer: { producer: Producer; connected: Promise<void> } | undefined;
  #closed = false;

  constructor(kafka: Kafka, logger: Logger, retry: RetryOptions, requestTimeoutMs: number) {
    this.#kafka = kafka;
    this.#logger = logger;
    this.#retry = retry;
    this.#requestTimeoutMs = requestTimeoutMs;
  }

  /** Resolves once every in-sync replica has the record. */
  send(topic: string, message: Message): Promise<void> {
    if (this.#closed) return Promise.reject(new Error("the Kafka broker handle is closed"));
    return new Promise((resolve, reject) => {
      this.#queue.push({ topic, message, resolve, reject });
      this.#kick();
    });
  }

  /** Lets queued records go out, then disconnects the producer. */
  async close(): Promise<void> {
    this.#closed = true;
    while (this.#pumping) await this.#pumping;
    await this.#retire();
  }

  #kick(): void {
    if (this.#pumping || this.#queue.length === 0) return;
    this.#pumping = this.#pump().finally(() => {
      this.#pumping = undefined;
      // Records queued between the loop's last check and here.
      this.#kick();
    });
  }

  async #pump(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, MAX_BATCH);
      try {
        const producer = await this.#connected();
        await producer.sendBatch({
          topicMessages: byTopic(batch),
          acks: -1,
          timeout: this.#requestTimeoutMs,
        });
        for (const pending of batch) pending.resolve();
      } catch (error) {
        for (const pending of batch) pending.reject(error);
        this.#logger.warn({ err: error, records: batch.length }, "kafka send failed; replacing the producer");
        await this.#retire();
      }
    }
  }

  async #connected(): Promise<Producer> {
    if (!this.#producer) {
      const producer = this.#kafka.producer({
        idempotent: true,
        // Idempotence in kafkajs relies on one request at a time per broker.
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
        retry: this.#retry,
      });
      this.#producer = { producer, connected: producer.connect() };
    }
    await this.#producer.connected;
    return this.#producer.producer;
  }

  async #retire(): Promise<void> {
    const current = this.#producer;
    this.#producer = undefined;
    if (!current) return;
    await current.connected.catch(() => undefined);
    await current.producer.disconnect().catch((error: unknown) => {
      this.#logger.warn({ err: error }, "kafka producer did not disconnect cleanly");
    });
  }
}

/** Groups records by topic, keeping their order (and so each key's order). */
function byTopic(batch: Pending[]): { topic: string; messages: Message[] }[] {
  const topics = new Map<string, Message[]>();
  for (const { topic, message } of batch) {
    const messages = topics.get(topic);
    if (messages) messages.push(message);
    else topics.set(topic, [message]);
  }
  return [...topics].map(([topic, messages]) => ({ topic, messages }));
}
