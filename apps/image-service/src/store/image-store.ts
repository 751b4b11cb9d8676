import { create, fromJson, type JsonValue, toJson } from "@bufbuild/protobuf";
import { timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { Database, Queryable } from "@switchboard/database";
import {
  type Image,
  ImageSchema,
  type ImageVariant,
  ImageVariantSchema,
  OperationSchema,
} from "@switchboard/proto/switchboard/image/v1/image_pb.js";
import type { PageCursor } from "@switchboard/runtime";

// Type aliases, not interfaces: query rows need the implicit index signature.
type ImageRow = {
  id: string;
  owner_id: string;
  filename: string;
  content_type: string;
  size_bytes: string | number;
  width: number;
  height: number;
  sha256: string;
  create_time: Date;
};
type VariantRow = {
  id: string;
  image_id: string;
  content_type: string;
  width: number;
  height: number;
  size_bytes: string | number;
  sha256: string;
  operations: JsonValue[] | string;
  create_time: Date;
};

const IMAGE_COLUMNS = "id, owner_id, filename, content_type, size_bytes, width, height, sha256, create_time";
const VARIANT_COLUMNS =
  "id, image_id, content_type, width, height, size_bytes, sha256, operations, create_time";

const imageFromRow = (row: ImageRow, variants: ImageVariant[] = []): Image =>
  create(ImageSchema, {
    id: row.id,
    ownerId: row.owner_id,
    filename: row.filename,
    contentType: row.content_type,
    sizeBytes: BigInt(row.size_bytes),
    width: row.width,
    height: row.height,
    sha256: row.sha256,
    createTime: timestampFromDate(new Date(row.create_time)),
    variants,
  });

const variantFromRow = (row: VariantRow): ImageVariant => {
  const operations = typeof row.operations === "string" ? JSON.parse(row.operations) : row.operations;
  return create(ImageVariantSchema, {
    id: row.id,
    imageId: row.image_id,
    contentType: row.content_type,
    width: row.width,
    height: row.height,
    sizeBytes: BigInt(row.size_bytes),
    sha256: row.sha256,
    operations: (operations as JsonValue[]).map((json) => fromJson(OperationSchema, json)),
    createTime: timestampFromDate(new Date(row.create_time)),
  });
};

const dateOf = (message: { createTime?: Parameters<typeof timestampDate>[0] }) =>
  message.createTime ? timestampDate(message.createTime) : new Date();

/** Image and variant metadata. Writes take the caller's transaction (with the outbox rows). */
export class ImageStore {
  constructor(readonly db: Database) {}

  async insertImage(tx: Queryable, image: Image): Promise<void> {
    await tx.query(`INSERT INTO images (${IMAGE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, [
      image.id,
      image.ownerId,
      image.filename,
      image.contentType,
      image.sizeBytes.toString(),
      image.width,
      image.height,
      image.sha256,
      dateOf(image),
    ]);
  }

  /** Stores a variant; `jobId` names the job that made it (unique: a second insert for one job fails). */
  async insertVariant(tx: Queryable, variant: ImageVariant, jobId?: string): Promise<void> {
    await tx.query(
      `INSERT INTO image_variants (${VARIANT_COLUMNS}, job_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        variant.id,
        variant.imageId,
        variant.contentType,
        variant.width,
        variant.height,
        variant.sizeBytes.toString(),
        variant.sha256,
        JSON.stringify(variant.operations.map((operation) => toJson(OperationSchema, operation))),
        dateOf(variant),
        jobId ?? null,
      ],
    );
  }

  /**
   * Deletes images and their variants, the images' rows locked first (a variant being added to
   * one at the same time then fails its foreign key instead of outliving it). Returns the content
   * addresses the deleted rows referenced, so that bytes no longer referenced can be removed after
   * `tx` commits, and how many images were deleted.
   */
  async deleteImages(
    tx: Queryable,
    which: { imageId: string } | { ownerId: string },
  ): Promise<{ deleted: number; sha256s: string[] }> {
    const { rows } = await tx.query<{ id: string; sha256: string }>(
      "imageId" in which
        ? "SELECT id, sha256 FROM images WHERE id = $1 FOR UPDATE"
        : "SELECT id, sha256 FROM images WHERE owner_id = $1 FOR UPDATE",
      ["imageId" in which ? which.imageId : which.ownerId],
    );
    if (rows.length === 0) return { deleted: 0, sha256s: [] };
    const ids = rows.map((row) => row.id);
    const variants = await tx.query<{ sha256: string }>(
      "DELETE FROM image_variants WHERE image_id = ANY($1::uuid[]) RETURNING sha256",
      [ids],
    );
    await tx.query("DELETE FROM images WHERE id = ANY($1::uuid[])", [ids]);
    const sha256s = new Set([...rows, ...variants.rows].map((row) => row.sha256));
    return { deleted: rows.length, sha256s: [...sha256s] };
  }

  /** One image with its variants (oldest first). */
  async get(id: string): Promise<Image | undefined> {
    const { rows } = await this.db.query<ImageRow>(`SELECT ${IMAGE_COLUMNS} FROM images WHERE id = $1`, [id]);
    if (!rows[0]) return undefined;
    const variants = await this.db.query<VariantRow>(
      `SELECT ${VARIANT_COLUMNS} FROM image_variants WHERE image_id = $1 ORDER BY create_time, id`,
      [id],
    );
    return imageFromRow(rows[0], variants.rows.map(variantFromRow));
  }

  /** The variant a job made, if it made one. */
  async variantOfJob(jobId: string): Promise<ImageVariant | undefined> {
    const { rows } = await this.db.query<VariantRow>(
      `SELECT ${VARIANT_COLUMNS} FROM image_variants WHERE job_id = $1`,
      [jobId],
    );
    return rows[0] ? variantFromRow(rows[0]) : undefined;
  }

  /** An owner's images, newest first, `limit` after `cursor`, with their variants. */
  async list(ownerId: string, limit: number, cursor?: PageCursor): Promise<Image[]> {
    const { rows } = await this.db.query<ImageRow>(
      `SELECT ${IMAGE_COLUMNS} FROM images
       WHERE owner_id = $1 AND ($2::timestamptz IS NULL OR (create_time, id) < ($2, $3::uuid))
       ORDER BY create_time DESC, id DESC LIMIT $4`,
      [ownerId, cursor?.time ?? null, cursor?.id ?? null, limit],
    );
    if (rows.length === 0) return [];
    const variants = await this.db.query<VariantRow>(
      `SELECT ${VARIANT_COLUMNS} FROM image_variants WHERE image_id = ANY($1::uuid[]) ORDER BY create_time, id`,
      [rows.map((row) => row.id)],
    );
    const byImage = new Map<string, ImageVariant[]>();
    for (const variant of variants.rows.map(variantFromRow)) {
      byImage.set(variant.imageId, [...(byImage.get(variant.imageId) ?? []), variant]);
    }
    return rows.map((row) => imageFromRow(row, byImage.get(row.id) ?? []));
  }
}
