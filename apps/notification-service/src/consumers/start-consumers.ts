import {
  IMAGES_TOPIC,
  Inbox,
  type MessageBroker,
  type Outbox,
  type Subscription,
  USERS_TOPIC,
} from "@switchboard/messaging";
import { DeliveryState } from "@switchboard/proto/switchboard/notification/v1/notification_pb.js";
import type { Notifier } from "../domain/notifier.js";
import type { SubscriberHub } from "../domain/subscriber-hub.js";
import type { NotificationStore } from "../store/notification-store.js";
import { deliver } from "./delivery-worker.js";
import { CONSUMER, handleEvent } from "./user-and-image-events.js";

export interface ConsumerDeps {
  store: NotificationStore;
  hub: SubscriberHub;
  notifier: Notifier;
  outbox: Outbox;
  /** Kafka, through the port: one group member reads both event topics. */
  kafka: MessageBroker;
  amqp: MessageBroker;
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
  const eventDeps = { ...deps, inbox: new Inbox() };
  const options = { group: deps.group ?? CONSUMER, fromBeginning: deps.fromBeginning ?? true };
  // One member of the group reads both topics (a group's members must subscribe alike).
  const events = await deps.kafka.subscribe(EVENT_TOPICS, (event) => handleEvent(eventDeps, event), options);
  try {
    // The queue the notifier queues delivery jobs on.
    const jobs = await deps.amqp.subscribe(
      deps.notifier.deliverQueue,
      async (job, delivery) => {
        try {
          await deliver(deps, job);
        } catch (error) {
          const { notification } = job.data as { notification?: { id: string } };
          if (notification && delivery.redeliveries + 1 >= deps.deliveryAttempts) {
            await deps.store.setState(notification.id, DeliveryState.FAILED); // about to be dead-lettered
          }
          throw error;
        }
      },
      { group: deps.notifier.deliverQueue },
    );
    return [events, jobs];
  } catch (error) {
    // All or nothing, so that a caller retrying (a broker down at boot) does not join the group twice.
    await events.close();
    throw error;
  }
}
