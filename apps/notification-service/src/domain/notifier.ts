import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { timestampNow } from "@bufbuild/protobuf/wkt";
import type { UnitOfWork } from "@switchboard/messaging";
import { NotificationRequestedSchema } from "@switchboard/proto/switchboard/events/v1/events_pb.js";
import {
  DeliveryState,
  type Notification,
  type NotificationKind,
  NotificationSchema,
} from "@switchboard/proto/switchboard/notification/v1/notification_pb.js";
import type { NotificationStore } from "../store/notification-store.js";

export interface NewNotification {
  userId: string;
  kind: NotificationKind;
  title: string;
  body: string;
  data?: Record<string, string>;
  sourceEventId?: string;
}

/**
 * Creates notifications: the history row and the delivery job (an outbox row the relay moves to
 * RabbitMQ) commit in the caller's unit of work, together or not at all.
 */
export class Notifier {
  constructor(
    private readonly store: NotificationStore,
    /**
     * RabbitMQ work queue of notifications to deliver: exactly one delivery worker takes each.
     * Every process on a queue must share the database (a worker acknowledges jobs it has no row
     * for), so tests, which run beside live instances, use a queue of their own.
     */
    readonly deliverQueue: string,
  ) {}

  async create(tx: UnitOfWork, fields: NewNotification): Promise<Notification> {
    const notification = create(NotificationSchema, {
      id: randomUUID(),
      userId: fields.userId,
      kind: fields.kind,
      title: fields.title,
      body: fields.body,
      data: fields.data ?? {},
      createTime: timestampNow(),
      deliveryState: DeliveryState.PENDING,
      sourceEventId: fields.sourceEventId ?? "",
    });
    await this.store.insert(tx, notification);
    await tx.emit(this.deliverQueue, {
      schema: NotificationRequestedSchema,
      data: { notification },
      subject: notification.userId,
    });
    return notification;
  }
}
