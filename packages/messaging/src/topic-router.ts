import type { DescMessage } from "@bufbuild/protobuf";
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
} from "./port.js";

/**
 * One MessageBroker over several: each topic goes to the broker named for it, any other to the
 * default. It lets one outbox (and one relay) feed Kafka and RabbitMQ at once — image-service's
 * facts go to Kafka, its jobs to a RabbitMQ queue, both committed with the same transaction.
 * It owns none of the brokers: close() is a no-op, their owner closes them.
 */
export class TopicRouter implements MessageBroker {
  readonly kind = "router";

  constructor(
    private readonly fallback: MessageBroker,
    private readonly routes: Readonly<Record<string, MessageBroker>>,
  ) {}

  /** The broker that carries `topic`. */
  brokerFor(topic: string): MessageBroker {
    return this.routes[topic] ?? this.fallback;
  }

  publish<Desc extends DescMessage>(
    topic: string,
    event: OutgoingEvent<Desc>,
    options?: PublishOptions,
  ): Promise<CloudEvent> {
    return this.brokerFor(topic).publish(topic, event, options);
  }

  /** Each broker subscribes to its own topics of `topics`, all of them at once (a Kafka group reads its topics as one member). */
  subscribe(topics: Topics, handler: EventHandler, options?: SubscribeOptions): Promise<Subscription> {
    const byBroker = new Map<MessageBroker, string[]>();
    for (const topic of typeof topics === "string" ? [topics] : topics) {
      const broker = this.brokerFor(topic);
      byBroker.set(broker, [...(byBroker.get(broker) ?? []), topic]);
    }
    const brokers = [...byBroker];
    return subscribeEach(
      brokers.map((_, i) => String(i)),
      (i) => {
        const [broker, mine] = brokers[Number(i)]!;
        return broker.subscribe(mine, handler, options);
      },
    );
  }

  async close(): Promise<void> {}
}
