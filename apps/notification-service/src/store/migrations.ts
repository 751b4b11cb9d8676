import type { Migration } from "@switchboard/database";

export const notificationMigrations: Migration[] = [
  {
    version: 1,
    name: "notifications",
    sql: `
      CREATE TABLE notifications (
        id uuid PRIMARY KEY,
        user_id text NOT NULL,
        kind int NOT NULL,
        title text NOT NULL,
        body text NOT NULL,
        data jsonb NOT NULL DEFAULT '{}',
        create_time timestamptz NOT NULL,
        delivery_state int NOT NULL,
        source_event_id text NOT NULL DEFAULT ''
      );
      CREATE INDEX notifications_by_user ON notifications (user_id, create_time DESC, id DESC);
    `,
  },
];
