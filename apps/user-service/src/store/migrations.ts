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
  {
    version: 2,
    name: "identity",
    sql: `
      -- scrypt$N$r$p$salt$hash (domain/passwords.ts); NULL: the user cannot log in (e.g. imported).
      ALTER TABLE users ADD COLUMN password_hash text;
      ALTER TABLE users ADD COLUMN roles text[] NOT NULL DEFAULT '{user}';
      -- The ES256 keys that sign access tokens. A key signs until a newer one takes over
      -- (retired_at), and stays in the JWKS until not_after, when no token it signed is valid.
      CREATE TABLE signing_keys (
        kid text PRIMARY KEY,
        private_jwk jsonb NOT NULL,
        public_jwk jsonb NOT NULL,
        created_at timestamptz NOT NULL,
        retired_at timestamptz,
        not_after timestamptz
      );
      -- Refresh tokens by their SHA-256 only (never the token). One family per login: every token
      -- rotated from it shares the family id, so a replayed token can revoke them all.
      CREATE TABLE refresh_tokens (
        token_hash text PRIMARY KEY,
        family_id uuid NOT NULL,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        revoked_at timestamptz
      );
      CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
      CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);
    `,
  },
];
