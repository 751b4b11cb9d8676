import {
  type Delivery,
  type EventHandler,
  eventHandlers,
  type MessageBroker,
  notificationTopic,
} from "@switchboard/messaging";
import { NotificationRequestedSchema } from "@switchboard/proto/switchboard/events/v1/events_pb.js";
import {
  DeliveryState,
  type Notification,
  NotificationSchema,
} from "@switchboard/proto/switchboard/notification/v1/notification_pb.js";
import type { SubscriberHub } from "../domain/subscriber-hub.js";
import type { NotificationStore } from "../store/notification-store.js";

export interface DeliveryDeps {
  store: NotificationStore;
  hub: SubscriberHub;
  mqtt: Pick<MessageBroker, "publish">;
  /** Delivery attempts before a job is dead-lettered (the AMQP delivery limit). */
  deliveryAttempts: number;
}

/**
 * The worker of `notifications.deliver`: each job (NotificationRequested) is delivered; a job of
 * another type is a bug and is refused (dead-lettered after the delivery limit). A job failing
 * its last attempt marks the notification FAILED before RabbitMQ dead-letters it.
 */
export function deliveryJobs(deps: DeliveryDeps): EventHandler {
  return eventHandlers<[Delivery]>()
    .on(NotificationRequestedSchema, async ({ notification }, job, delivery) => {
      if (!notification) throw new Error(`job ${job.id} carries no notification`);
      try {
        await deliver(deps, notification);
      } catch (error) {
        if (delivery.redeliveries + 1 >= deps.deliveryAttempts) {
          await deps.store.setState(notification.id, DeliveryState.FAILED); // about to be dead-lettered
        }
        throw error;
      }
    })
    .rejectingOthers();
}

/**
 * Delivers one notification: to every open gRPC Subscribe stream of the user, then over MQTT
 * (QoS 1, resolved on PUBACK). Resolving acknowledges the job; throwing makes RabbitMQ redeliver
 * it. Delivery is at least once: a redelivered job reaches subscribers again, with the same
 * notification id.
 */
async function deliver(deps: DeliveryDeps, notification: Notification): Promise<void> {
  if (!(await deps.store.get(notification.id))) return; // dropped meanwhile (user deleted)
  const delivered = { ...notification, deliveryState: DeliveryState.DELIVERED };
  deps.hub.publish(delivered);
  await deps.mqtt.publish(notificationTopic(notification.userId), {
    schema: NotificationSchema,
    data: delivered,
    subject: notification.userId,
    id: notification.id,
  });
  await deps.store.setState(notification.id, DeliveryState.DELIVERED);
}
