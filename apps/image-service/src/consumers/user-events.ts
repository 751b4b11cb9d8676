import type { Database } from "@switchboard/database";
import {
  type CloudEvent,
  eventHandlers,
  Inbox,
  type MessageBroker,
  type Subscription,
  USERS_TOPIC,
} from "@switchboard/messaging";
import { UserDeletedSchema } from "@switchboard/proto/switchboard/events/v1/events_pb.js";
import type { Logger } from "@switchboard/runtime";
import type { ImageLibrary } from "../domain/image-library.js";

/** image-service's Kafka consumer group, and its name in the inbox. */
export const CONSUMER = "image-service";

export interface UserEventDeps {
  library: ImageLibrary;
  db: Database;
  inbox: Inbox;
  logger: Logger;
}

/**
 * What image-service does with user events: a deleted user's images go, with the bytes no other
 * image shares. Once per event id: the inbox record commits with the rows' deletion, so a
 * redelivered event (or a replayed topic) deletes nothing uploaded since. The other user events
 * are not ours to act on.
 */
export function userEvents(deps: UserEventDeps): (event: CloudEvent) => Promise<void> {
  return eventHandlers()
    .on(UserDeletedSchema, async ({ userId }, event) => {
      const deleted = await deps.library.deleteImagesOf(userId, (work) =>
        deps.inbox.handleOnce(deps.db, CONSUMER, event, work),
      );
      if (deleted > 0)
        deps.logger.info({ userId, deleted, event: event.id }, "deleted a deleted user's images");
    })
    .ignoringOthers();
}

/** Subscribes to `switchboard.users.v1` (group `image-service` unless a test names its own). */
export function startUserEventConsumer(
  deps: Omit<UserEventDeps, "inbox"> & {
    kafka: Pick<MessageBroker, "subscribe">;
    group?: string;
    fromBeginning?: boolean;
  },
): Promise<Subscription> {
  return deps.kafka.subscribe(USERS_TOPIC, userEvents({ ...deps, inbox: new Inbox() }), {
    group: deps.group ?? CONSUMER,
    fromBeginning: deps.fromBeginning ?? true,
  });
}
