import type { DescMessage } from "@bufbuild/protobuf";
import type {
  CloudEvent,
  EventHandler,
  MessageBroker,
  OutgoingEvent,
  PublishOptions,
  SubscribeOptions,
  Subscription,
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

  subscribe(topic: string, handler: EventHandler, options: SubscribeOptions): Promise<Subscription> {
    return this.brokerFor(topic).subscribe(topic, handler, options);
  }

  async close(): Promise<void> {}
}
