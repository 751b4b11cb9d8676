import type { Admin, Kafka } from "kafkajs";

/**
 * Creates topics on first use (publish or subscribe) with a fixed partition count, so consumer
 * groups have partitions to share; broker-side auto-creation would give them the broker's default
 * (usually 1). Topics known to exist are cached for the life of the broker handle.
 */
export class KafkaTopics {
  readonly #kafka: Kafka;
  readonly #partitions: number;
  readonly #known = new Map<string, Promise<void>>();
  #admin: Promise<Admin> | undefined;

  constructor(kafka: Kafka, partitions: number) {
    this.#kafka = kafka;
    this.#partitions = partitions;
  }

  /** Resolves once `topic` exists (created here with its leaders elected, or already there). */
  ensure(topic: string): Promise<void> {
    let known = this.#known.get(topic);
    if (!known) {
      known = this.#create(topic);
      this.#known.set(topic, known);
      // A failure (broker down) must not be cached: the next publish tries again.
      known.catch(() => this.#known.delete(topic));
    }
    return known;
  }

  async close(): Promise<void> {
    const admin = this.#admin;
    this.#admin = undefined;
    await (await admin?.catch(() => undefined))?.disconnect();
  }

  async #create(topic: string): Promise<void> {
    const admin = await this.#connected();
    // createTopics resolves false (not an error) when the topic already exists.
    await admin.createTopics({ topics: [{ topic, numPartitions: this.#partitions }], waitForLeaders: true });
  }

  #connected(): Promise<Admin> {
    if (!this.#admin) {
      const admin = this.#kafka.admin();
      const connected = admin.connect().then(() => admin);
      connected.catch(() => {
        if (this.#admin === connected) this.#admin = undefined;
        void admin.disconnect().catch(() => undefined);
      });
      this.#admin = connected;
    }
    return this.#admin;
  }
}
