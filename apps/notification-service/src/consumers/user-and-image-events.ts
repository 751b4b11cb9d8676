import {
  type CloudEvent,
  eventHandlers,
  type Inbox,
  type Outbox,
  type UnitOfWork,
} from "@switchboard/messaging";
import {
  ImageProcessedSchema,
  UserCreatedSchema,
  UserDeletedSchema,
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
 * row commits with the notification, so a redelivered event is skipped). Each handler runs in
 * the event's transaction; other events on these topics are not ours to act on.
 */
export function userAndImageEvents(deps: EventDeps): (event: CloudEvent) => Promise<void> {
  const handle = eventHandlers<[UnitOfWork]>()
    .on(UserCreatedSchema, async ({ user }, event, tx) => {
      if (!user) return;
      await deps.notifier.create(tx, {
        userId: user.id,
        kind: NotificationKind.WELCOME,
        title: `Welcome, ${user.name}!`,
        body: "Your Switchboard account is ready.",
        sourceEventId: event.id,
      });
    })
    .on(ImageProcessedSchema, async (processed, event, tx) => {
      await deps.notifier.create(tx, {
        userId: processed.ownerId,
        kind: NotificationKind.IMAGE_READY,
        title: "Your image is ready",
        body: `Image ${processed.imageId} has been processed.`,
        data: { image_id: processed.imageId, variant_id: processed.variant?.id ?? "" },
        sourceEventId: event.id,
      });
    })
    .on(UserDeletedSchema, async ({ userId }, _event, tx) => {
      await deps.store.dropPending(tx, userId);
      deps.hub.dropUser(userId);
    })
    .ignoringOthers();
  return (event) =>
    deps.outbox.commit(async (tx) => {
      if (!(await deps.inbox.record(tx, CONSUMER, event))) return; // handled before
      await handle(event, tx);
    });
}
