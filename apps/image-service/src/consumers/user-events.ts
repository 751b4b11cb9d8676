import type { Database } from "@switchboard/database";
import {
  type CloudEvent,
  Inbox,
  type MessageBroker,
  type Subscription,
  USERS_TOPIC,
} from "@switchboard/messaging";
import type { UserDeleted } from "@switchboard/proto/switchboard/events/v1/events_pb.js";
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
 * redelivered event (or a replayed topic) deletes nothing uploaded since.
 */
export async function handleUserEvent(deps: UserEventDeps, event: CloudEvent): Promise<void> {
  if (event.type !== "switchboard.events.v1.UserDeleted") return; // the others are not ours to act on
  const { userId } = event.data as UserDeleted;
  const deleted = await deps.library.deleteImagesOf(userId, (work) =>
    deps.inbox.handleOnce(deps.db, CONSUMER, event, work),
  );
  if (deleted > 0) deps.logger.info({ userId, deleted, event: event.id }, "deleted a deleted user's images");
}

/** Subscribes to `switchboard.users.v1` (group `image-service` unless a test names its own). */
export function startUserEventConsumer(
  deps: Omit<UserEventDeps, "inbox"> & {
    kafka: Pick<MessageBroker, "subscribe">;
    group?: string;
    fromBeginning?: boolean;
  },
): Promise<Subscription> {
  const handlerDeps = { ...deps, inbox: new Inbox() };
  return deps.kafka.subscribe(USERS_TOPIC, (event) => handleUserEvent(handlerDeps, event), {
    group: deps.group ?? CONSUMER,
    fromBeginning: deps.fromBeginning ?? true,
  });
}
