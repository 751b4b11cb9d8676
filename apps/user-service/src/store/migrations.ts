import type { Migration } from "@switchboard/database";

export const userMigrations: Migration[] = [
  {
    version: 1,
    name: "users",
    sql: `
      CREATE TABLE users (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        email text NOT NULL,
        -- Emails are unique regardless of case.
        email_key text NOT NULL UNIQUE,
        avatar_image_id text NOT NULL DEFAULT '',
        create_time timestamptz NOT NULL,
        update_time timestamptz NOT NULL,
        version bigint NOT NULL DEFAULT 1
      );
      -- CreateUser's idempotency: which user a request_id made, and with what payload.
      CREATE TABLE create_requests (
        request_id uuid PRIMARY KEY,
        user_id uuid NOT NULL,
        fingerprint text NOT NULL
      );
    `,
  },
];
