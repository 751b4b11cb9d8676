import type { Database } from "@switchboard/database";
import type { CloudEvent, Inbox } from "@switchboard/messaging";
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
  db: Database;
  inbox: Inbox;
  notifier: Notifier;
  store: NotificationStore;
  hub: SubscriberHub;
  /** Told after each commit that queued a delivery. */
  outbox: { wake(): void };
}

/**
 * What the notification service does with each event from Kafka — once per event id (the inbox
 * row commits with the notification, so a redelivered event is skipped).
 */
export async function handleEvent(deps: EventDeps, event: CloudEvent): Promise<void> {
  let queued = false;
  await deps.inbox.handleOnce(deps.db, CONSUMER, event, async (tx) => {
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
        queued = true;
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
        queued = true;
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
  if (queued) deps.outbox.wake();
}
