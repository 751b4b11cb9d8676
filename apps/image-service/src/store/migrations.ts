import type { Migration } from "@switchboard/database";

export const imageMigrations: Migration[] = [
  {
    version: 1,
    name: "images and variants",
    sql: `
      -- One row per upload; the bytes live in the blob store under sha256 (shared by equal uploads).
      CREATE TABLE images (
        id uuid PRIMARY KEY,
        owner_id text NOT NULL,
        filename text NOT NULL,
        content_type text NOT NULL,
        size_bytes bigint NOT NULL,
        width int NOT NULL,
        height int NOT NULL,
        sha256 text NOT NULL,
        create_time timestamptz NOT NULL
      );
      CREATE INDEX images_by_owner ON images (owner_id, create_time DESC, id DESC);

      CREATE TABLE image_variants (
        id uuid PRIMARY KEY,
        image_id uuid NOT NULL REFERENCES images (id),
        content_type text NOT NULL,
        width int NOT NULL,
        height int NOT NULL,
        size_bytes bigint NOT NULL,
        sha256 text NOT NULL,
        operations jsonb NOT NULL,
        create_time timestamptz NOT NULL,
        -- The job (CloudEvent id) that made it, so a redelivered job makes no second variant.
        job_id text UNIQUE
      );
      CREATE INDEX image_variants_by_image ON image_variants (image_id, create_time, id);
    `,
  },
  {
    version: 2,
    name: "images and variants by content address",
    // The blob sweep asks, for each blob, whether any row still references it.
    sql: `
      CREATE INDEX images_by_sha256 ON images (sha256);
      CREATE INDEX image_variants_by_sha256 ON image_variants (sha256);
    `,
  },
];
