import type { DescMessage, Registry } from "@bufbuild/protobuf";
import amqp, {
  type Channel,
  type ChannelModel,
  type ConfirmChannel,
  type ConsumeMessage,
  type Message,
} from "amqplib";
import type { Logger } from "pino";
import { decodeEvent, EventDecodeError, encodeEvent } from "../cloudevents.js";
import {
  type CloudEvent,
  type EventHandler,
  type MessageBroker,
  type OutgoingEvent,
  type Subscription,
  subscribeEach,
  type Topics,
} from "../port.js";
import { fromAmqpHeaders, toAmqpHeaders } from "./amqp-headers.js";

export interface AmqpBrokerOptions {
  url: string;
  /** The CloudEvents `source` of everything published through this handle. */
  source: string;
  registry: Registry;
  logger: Logger;
  /** Unacknowledged messages a consumer may hold (default 16). */
  prefetch?: number;
  /** Deliveries of one message before the broker dead-letters it (default 5). */
  deliveryLimit?: number;
  /** How long a publish waits for the broker's confirm (default 5000 ms). */
  confirmTimeoutMs?: number;
  /** Reconnect backoff (defaults 200 ms doubling to 5000 ms, with jitter). */
  reconnect?: { initialDelayMs?: number; maxDelayMs?: number };
}

interface Consumer {
  queue: string;
  handler: EventHandler;
  tag?: string;
  inFlight: Set<Promise<void>>;
}

/**
 * RabbitMQ through the one port: work that exactly one worker must do. The port's `topic` is a
 * queue: a durable quorum queue, dead-lettered to `<queue>.dead` after `deliveryLimit`
 * deliveries. Publishes go through the default exchange on a confirm channel and resolve on the
 * broker's confirm. After a lost connection it reconnects with backoff, declares the topology
 * again and resumes every consumer; publishes during an outage reject at once (callers retry —
 * the outbox relay does).
 */
export class AmqpBroker implements MessageBroker {
  readonly kind = "amqp";
  readonly #options: AmqpBrokerOptions;
  readonly #queues = new Set<string>();
  readonly #consumers = new Set<Consumer>();
  #connection: ChannelModel | undefined;
  #publishChannel: ConfirmChannel | undefined;
  #consumeChannel: Channel | undefined;
  #connecting: Promise<void> | undefined;
  #closed = false;
  #attempt = 0;

  constructor(options: AmqpBrokerOptions) {
    this.#options = options;
  }

  async publish<Desc extends DescMessage>(queue: string, event: OutgoingEvent<Desc>): Promise<CloudEvent> {
    await this.#ready();
    const channel = this.#publishChannel;
    if (!channel) throw new Error("not connected to RabbitMQ");
    await this.#declare(queue);
    const { attributes, body, event: cloudEvent } = encodeEvent(event, this.#options.source);
    const { headers, contentType } = toAmqpHeaders(attributes);
    const timeoutMs = this.#options.confirmTimeoutMs ?? 5_000;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no confirm from RabbitMQ within ${timeoutMs} ms`)),
        timeoutMs,
      );
      channel.publish(
        "",
        queue,
        Buffer.from(body),
        {
          persistent: true,
          headers,
          messageId: cloudEvent.id,
          timestamp: Math.floor(cloudEvent.time.getTime() / 1000),
          ...(contentType ? { contentType } : {}),
        },
        (error: unknown) => {
          clearTimeout(timer);
          if (error)
            reject(error instanceof Error ? error : new Error("RabbitMQ refused the message (nack)"));
          else resolve();
        },
      );
    });
    return cloudEvent;
  }

  /** Consumes each queue of `queues`. It reads no SubscribeOptions: a queue's consumers always compete. */
  subscribe(queues: Topics, handler: EventHandler): Promise<Subscription> {
    return subscribeEach(queues, (queue) => this.#subscribe(queue, handler));
  }

  async #subscribe(queue: string, handler: EventHandler): Promise<Subscription> {
    await this.#ready();
    const consumer: Consumer = { queue, handler, inFlight: new Set() };
    this.#consumers.add(consumer);
    await this.#declare(queue);
    await this.#consume(consumer);
    return {
      close: async () => {
        this.#consumers.delete(consumer);
        if (consumer.tag && this.#consumeChannel)
          await this.#consumeChannel.cancel(consumer.tag).catch(() => undefined);
        await Promise.allSettled([...consumer.inFlight]);
      },
    };
  }

  /** Up to `limit` dead letters of `queue`, left in place (read and requeued). */
  async deadLetters(queue: string, limit = 100): Promise<CloudEvent[]> {
    await this.#ready();
    const channel = await this.#connection!.createChannel();
    try {
      await this.#declareOn(channel, queue);
      const events: CloudEvent[] = [];
      const held: Message[] = [];
      for (let i = 0; i < limit; i++) {
        const message = await channel.get(`${queue}.dead`, { noAck: false });
        if (!message) break;
        held.push(message);
        events.push(this.#decode(message));
      }
      for (const message of held) channel.nack(message, false, true);
      return events;
    } finally {
      await channel.close().catch(() => undefined);
    }
  }

  /** Moves every dead letter of `queue` back onto it; returns how many. */
  async replayDeadLetters(queue: string): Promise<number> {
    await this.#ready();
    const channel = await this.#connection!.createConfirmChannel();
    try {
      await this.#declareOn(channel, queue);
      let moved = 0;
      for (;;) {
        const message = await channel.get(`${queue}.dead`, { noAck: false });
        if (!message) break;
        const {
          "x-death": _death,
          "x-delivery-count": _count,
          ...headers
        } = message.properties.headers ?? {};
        channel.publish("", queue, message.content, { ...message.properties, headers });
        await channel.waitForConfirms();
        channel.ack(message);
        moved++;
      }
      return moved;
    } finally {
      await channel.close().catch(() => undefined);
    }
  }

  /**
   * Deletes `queue` and its dead-letter queue, messages and all — for queues that were only ever
   * temporary (a test's own queue). Stop consuming from it first.
   */
  async deleteQueue(queue: string): Promise<void> {
    await this.#ready();
    const channel = await this.#connection!.createChannel();
    try {
      await channel.deleteQueue(queue);
      await channel.deleteQueue(`${queue}.dead`);
      this.#queues.delete(queue);
    } finally {
      await channel.close().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const consumer of this.#consumers) await Promise.allSettled([...consumer.inFlight]);
    this.#consumers.clear();
    await this.#connection?.close().catch(() => undefined);
    this.#connection = undefined;
  }

  #ready(): Promise<void> {
    if (this.#connection) return Promise.resolve();
    if (this.#closed) return Promise.reject(new Error("the AMQP broker handle is closed"));
    this.#connecting ??= this.#connect().finally(() => {
      this.#connecting = undefined;
    });
    return this.#connecting;
  }

  async #connect(): Promise<void> {
    const connection = await amqp.connect(this.#options.url);
    connection.on("error", (error: Error) =>
      this.#options.logger.warn({ err: error.message }, "AMQP connection error"),
    );
    connection.on("close", () => this.#lost(connection));
    this.#publishChannel = await connection.createConfirmChannel();
    this.#consumeChannel = await connection.createChannel();
    await this.#consumeChannel.prefetch(this.#options.prefetch ?? 16);
    this.#connection = connection;
    this.#attempt = 0;
    for (const queue of this.#queues) await this.#declareOn(this.#consumeChannel, queue);
    for (const consumer of this.#consumers) await this.#consume(consumer);
  }

  #lost(connection: ChannelModel): void {
    if (this.#connection !== connection) return;
    this.#connection = undefined;
    this.#publishChannel = undefined;
    this.#consumeChannel = undefined;
    if (this.#closed) return;
    this.#options.logger.warn("AMQP connection lost; reconnecting");
    void this.#reconnect();
  }

  async #reconnect(): Promise<void> {
    const { initialDelayMs = 200, maxDelayMs = 5_000 } = this.#options.reconnect ?? {};
    while (!this.#closed && !this.#connection) {
      const ceiling = Math.min(maxDelayMs, initialDelayMs * 2 ** this.#attempt++);
      await new Promise((resolve) => setTimeout(resolve, ceiling / 2 + (Math.random() * ceiling) / 2));
      try {
        await this.#ready();
        this.#options.logger.info("AMQP reconnected; topology declared and consumers resumed");
      } catch (error) {
        this.#options.logger.debug({ err: (error as Error).message }, "AMQP reconnect failed");
      }
    }
  }

  async #declare(queue: string): Promise<void> {
    if (this.#queues.has(queue) || !this.#consumeChannel) return;
    await this.#declareOn(this.#consumeChannel, queue);
    this.#queues.add(queue);
  }

  /** The queue (quorum, dead-lettered to `<queue>.dead` after the delivery limit) and its dead-letter queue. */
  async #declareOn(channel: Channel, queue: string): Promise<void> {
    await channel.assertQueue(`${queue}.dead`, { durable: true, arguments: { "x-queue-type": "quorum" } });
    await channel.assertQueue(queue, {
      durable: true,
      arguments: {
        "x-queue-type": "quorum",
        "x-delivery-limit": this.#options.deliveryLimit ?? 5,
        "x-dead-letter-exchange": "",
        "x-dead-letter-routing-key": `${queue}.dead`,
      },
    });
  }

  async #consume(consumer: Consumer): Promise<void> {
    const channel = this.#consumeChannel;
    if (!channel) return;
    const { consumerTag } = await channel.consume(
      consumer.queue,
      (message) => {
        if (!message) return; // the broker cancelled the consumer; reconnect resumes it
        const work = this.#deliver(channel, consumer, message);
        consumer.inFlight.add(work);
        void work.finally(() => consumer.inFlight.delete(work));
      },
      { noAck: false },
    );
    consumer.tag = consumerTag;
  }

  /** Ack after the handler succeeded; a failure requeues (the quorum queue counts it); garbage dead-letters at once. */
  async #deliver(channel: Channel, consumer: Consumer, message: ConsumeMessage): Promise<void> {
    let event: CloudEvent;
    try {
      event = this.#decode(message);
    } catch (error) {
      this.#options.logger.error(
        { queue: consumer.queue, err: (error as Error).message },
        "undecodable message dead-lettered",
      );
      channel.nack(message, false, false);
      return;
    }
    const redeliveries = Number(
      message.properties.headers?.["x-delivery-count"] ?? (message.fields.redelivered ? 1 : 0),
    );
    try {
      await consumer.handler(event, { topic: consumer.queue, redeliveries });
      channel.ack(message);
    } catch (error) {
      this.#options.logger.warn(
        { queue: consumer.queue, eventId: event.id, redeliveries, err: (error as Error).message },
        "handler failed; message requeued",
      );
      try {
        channel.nack(message, false, true);
      } catch {
        // The channel is gone: the broker requeues unacked messages by itself.
      }
    }
  }

  #decode(message: Message): CloudEvent {
    const attributes = fromAmqpHeaders(message.properties.headers, message.properties.contentType);
    try {
      return decodeEvent(attributes, message.content, this.#options.registry);
    } catch (error) {
      if (error instanceof EventDecodeError) throw error;
      throw new EventDecodeError(String(error));
    }
  }
}
