import {
  IMAGES_TOPIC,
  Inbox,
  type MessageBroker,
  type Outbox,
  type Subscription,
  USERS_TOPIC,
} from "@switchboard/messaging";
import type { Notifier } from "../domain/notifier.js";
import type { SubscriberHub } from "../domain/subscriber-hub.js";
import type { NotificationStore } from "../store/notification-store.js";
import { deliveryJobs } from "./delivery-worker.js";
import { CONSUMER, userAndImageEvents } from "./user-and-image-events.js";

export interface ConsumerDeps {
  store: NotificationStore;
  hub: SubscriberHub;
  notifier: Notifier;
  outbox: Outbox;
  /** Kafka, through the port: one group member reads both event topics. */
  kafka: Pick<MessageBroker, "subscribe">;
  /** RabbitMQ, through the port: the delivery queue's worker. */
  amqp: Pick<MessageBroker, "subscribe">;
  mqtt: Pick<MessageBroker, "publish">;
  /** Delivery attempts before a job is dead-lettered (the AMQP delivery limit). */
  deliveryAttempts: number;
  /** Kafka consumer group (default "notification-service"); tests use their own. */
  group?: string;
  fromBeginning?: boolean;
}

/** The Kafka topics whose events become notifications. */
export const EVENT_TOPICS = [USERS_TOPIC, IMAGES_TOPIC];

/** Kafka events in, delivery jobs from RabbitMQ: every consumer of the service, started (all or none). */
export async function startConsumers(deps: ConsumerDeps): Promise<Subscription[]> {
  const handleEvent = userAndImageEvents({ ...deps, inbox: new Inbox() });
  const options = { group: deps.group ?? CONSUMER, fromBeginning: deps.fromBeginning ?? true };
  // One member of the group reads both topics (a group's members must subscribe alike).
  const events = await deps.kafka.subscribe(EVENT_TOPICS, handleEvent, options);
  try {
    // The queue the notifier queues delivery jobs on.
    const jobs = await deps.amqp.subscribe(deps.notifier.deliverQueue, deliveryJobs(deps));
    return [events, jobs];
  } catch (error) {
    // All or nothing, so that a caller retrying (a broker down at boot) does not join the group twice.
    await events.close();
    throw error;
  }
}
