import type { CloudEvent, Inbox, Outbox } from "@switchboard/messaging";
import type {
  ImageProcessed,
  UserCreated,
  UserDeleted,
} from "@switchboard/proto/switchboard/events/v1/events_pb.js";
import { NotificationKind } from "@switchboard/proto/switchboard/notification/v1/notification_pb.js";
import type { Notifier } from "../domain/notifier.js";
import type { SubscriberHub } from "../domain/subscriber-hub.js";
import type { NotificationStore } from "../store/notification-store.js";

export const CONSUMER = "notification-service";

export interface EventDeps {
  inbox: Inbox;
  notifier: Notifier;
  store: NotificationStore;
  hub: SubscriberHub;
  /** The unit of work: the inbox record, the notification and its delivery job commit together. */
  outbox: Outbox;
}

/**
 * What the notification service does with each event from Kafka — once per event id (the inbox
 * row commits with the notification, so a redelivered event is skipped).
 */
export async function handleEvent(deps: EventDeps, event: CloudEvent): Promise<void> {
  await deps.outbox.commit(async (tx) => {
    if (!(await deps.inbox.record(tx, CONSUMER, event))) return; // handled before
    switch (event.type) {
      case "switchboard.events.v1.UserCreated": {
        const { user } = event.data as UserCreated;
        if (!user) return;
        await deps.notifier.create(tx, {
          userId: user.id,
          kind: NotificationKind.WELCOME,
          title: `Welcome, ${user.name}!`,
          body: "Your Switchboard account is ready.",
          sourceEventId: event.id,
        });
        return;
      }
      case "switchboard.events.v1.ImageProcessed": {
        const processed = event.data as ImageProcessed;
        await deps.notifier.create(tx, {
          userId: processed.ownerId,
          kind: NotificationKind.IMAGE_READY,
          title: "Your image is ready",
          body: `Image ${processed.imageId} has been processed.`,
          data: { image_id: processed.imageId, variant_id: processed.variant?.id ?? "" },
          sourceEventId: event.id,
        });
        return;
      }
      case "switchboard.events.v1.UserDeleted": {
        const { userId } = event.data as UserDeleted;
        await deps.store.dropPending(tx, userId);
        deps.hub.dropUser(userId);
        return;
      }
      default:
        return; // other events on these topics are not ours to act on
    }
  });
}
