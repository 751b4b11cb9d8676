import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import type { Outbox } from "@switchboard/messaging";
import { NotificationKind } from "@switchboard/proto/switchboard/notification/v1/notification_pb.js";
import type {
  ListNotificationsRequest,
  NotificationService,
  SendNotificationRequest,
  SubscribeRequest,
} from "@switchboard/proto/switchboard/notification/v1/notification_service_pb.js";
import { callerOf, decodePageCursor, encodePageCursor } from "@switchboard/runtime";
import { authorizeReading, authorizeSending } from "../domain/notification-access.js";
import type { Notifier } from "../domain/notifier.js";
import type { SubscriberHub } from "../domain/subscriber-hub.js";
import type { NotificationStore } from "../store/notification-store.js";
import { decided, streamed } from "./status.js";

export interface NotificationHandlersDeps {
  store: NotificationStore;
  notifier: Notifier;
  hub: SubscriberHub;
  outbox: Outbox;
  /** Aborts when the server starts draining: Subscribe streams end then. */
  draining: AbortSignal;
}

/** switchboard.notification.v1.NotificationService. */
export class NotificationHandlers implements ServiceImpl<typeof NotificationService> {
  constructor(private readonly deps: NotificationHandlersDeps) {}

  async sendNotification(request: SendNotificationRequest, context: HandlerContext) {
    await decided(() => authorizeSending(callerOf(context)));
    const { notifier } = this.deps;
    const notification = await this.deps.outbox.commit((tx) =>
      notifier.create(tx, {
        userId: request.userId,
        kind: NotificationKind.DIRECT,
        title: request.title,
        body: request.body,
        data: request.data,
      }),
    );
    return { notification };
  }

  async *subscribe(request: SubscribeRequest, context: HandlerContext) {
    await decided(() => authorizeReading(callerOf(context), request.userId));
    const signal = AbortSignal.any([context.signal, this.deps.draining]);
    for await (const notification of streamed(this.deps.hub.subscribe(request.userId, signal))) {
      yield { notification };
    }
  }

  async listNotifications(request: ListNotificationsRequest, context: HandlerContext) {
    await decided(() => authorizeReading(callerOf(context), request.userId));
    const pageSize = request.pageSize || 20;
    const page = await this.deps.store.list(
      request.userId,
      pageSize + 1,
      decodePageCursor(request.pageToken),
    );
    const notifications = page.slice(0, pageSize);
    const last = notifications.at(-1);
    const more = page.length > pageSize && last?.createTime;
    return {
      notifications,
      nextPageToken: more ? encodePageCursor({ time: timestampDate(last.createTime!), id: last.id }) : "",
    };
  }
}
