import { create } from "@bufbuild/protobuf";
import { timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { Database, Queryable } from "@switchboard/database";
import {
  DeliveryState,
  type Notification,
  NotificationSchema,
} from "@switchboard/proto/switchboard/notification/v1/notification_pb.js";
import type { PageCursor } from "@switchboard/runtime";

type NotificationRow = {
  id: string;
  user_id: string;
  kind: number;
  title: string;
  body: string;
  data: Record<string, string> | string;
  create_time: Date;
  delivery_state: number;
  source_event_id: string;
};

const COLUMNS = "id, user_id, kind, title, body, data, create_time, delivery_state, source_event_id";

function fromRow(row: NotificationRow): Notification {
  return create(NotificationSchema, {
    id: row.id,
    userId: row.user_id,
    kind: row.kind,
    title: row.title,
    body: row.body,
    data: typeof row.data === "string" ? JSON.parse(row.data) : row.data,
    createTime: timestampFromDate(new Date(row.create_time)),
    deliveryState: row.delivery_state,
    sourceEventId: row.source_event_id,
  });
}

/** Notification history. Writes take the caller's transaction (with the inbox and outbox rows). */
export class NotificationStore {
  constructor(readonly db: Database) {}

  async insert(tx: Queryable, notification: Notification): Promise<void> {
    await tx.query(`INSERT INTO notifications (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, [
      notification.id,
      notification.userId,
      notification.kind,
      notification.title,
      notification.body,
      JSON.stringify(notification.data),
      notification.createTime ? timestampDate(notification.createTime) : new Date(),
      notification.deliveryState,
      notification.sourceEventId,
    ]);
  }

  async get(id: string): Promise<Notification | undefined> {
    const { rows } = await this.db.query<NotificationRow>(
      `SELECT ${COLUMNS} FROM notifications WHERE id = $1`,
      [id],
    );
    return rows[0] ? fromRow(rows[0]) : undefined;
  }

  async setState(id: string, state: DeliveryState): Promise<void> {
    await this.db.query("UPDATE notifications SET delivery_state = $2 WHERE id = $1", [id, state]);
  }

  /** Newest first, `limit` after `cursor`. */
  async list(userId: string, limit: number, cursor?: PageCursor): Promise<Notification[]> {
    const { rows } = await this.db.query<NotificationRow>(
      `SELECT ${COLUMNS} FROM notifications
       WHERE user_id = $1 AND ($2::timestamptz IS NULL OR (create_time, id) < ($2, $3::uuid))
       ORDER BY create_time DESC, id DESC LIMIT $4`,
      [userId, cursor?.time ?? null, cursor?.id ?? null, limit],
    );
    return rows.map(fromRow);
  }

  /** A deleted user's notifications that were never delivered: dropped. Returns how many. */
  async dropPending(tx: Queryable, userId: string): Promise<number> {
    const { rowCount } = await tx.query(
      "DELETE FROM notifications WHERE user_id = $1 AND delivery_state = $2",
      [userId, DeliveryState.PENDING],
    );
    return rowCount;
  }
}
