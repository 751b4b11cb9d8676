import { type CloudEvent, type MessageBroker, notificationTopic } from "@switchboard/messaging";
import type { NotificationRequested } from "@switchboard/proto/switchboard/events/v1/events_pb.js";
import {
  DeliveryState,
  NotificationSchema,
} from "@switchboard/proto/switchboard/notification/v1/notification_pb.js";
import type { SubscriberHub } from "../domain/subscriber-hub.js";
import type { NotificationStore } from "../store/notification-store.js";

export interface DeliveryDeps {
  store: NotificationStore;
  hub: SubscriberHub;
  mqtt: Pick<MessageBroker, "publish">;
}

/**
 * Delivers one notification job from `notifications.deliver`: to every open gRPC Subscribe
 * stream of the user, then over MQTT (QoS 1, resolved on PUBACK). Resolving acknowledges the job;
 * throwing makes RabbitMQ redeliver it, and after the delivery limit dead-letter it. Delivery is
 * at least once: a redelivered job reaches subscribers again, with the same notification id.
 */
export async function deliver(deps: DeliveryDeps, job: CloudEvent): Promise<void> {
  const { notification } = job.data as NotificationRequested;
  if (!notification) throw new Error(`job ${job.id} carries no notification`);
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
