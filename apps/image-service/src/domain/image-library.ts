import { randomUUID } from "node:crypto";
import type { FileHandle } from "node:fs/promises";
import { create } from "@bufbuild/protobuf";
import { timestampNow } from "@bufbuild/protobuf/wkt";
import type { Queryable } from "@switchboard/database";
import { IMAGES_TOPIC, type Outbox, type UnitOfWork } from "@switchboard/messaging";
import {
  ImageProcessedSchema,
  ImageProcessingRequestedSchema,
  ImageUploadedSchema,
} from "@switchboard/proto/switchboard/events/v1/events_pb.js";
import {
  type Image,
  ImageSchema,
  type ImageVariant,
  ImageVariantSchema,
  type Operation,
  OperationSchema,
} from "@switchboard/proto/switchboard/image/v1/image_pb.js";
import type { UploadMetadata } from "@switchboard/proto/switchboard/image/v1/image_service_pb.js";
import type { ConcurrencyGate } from "@switchboard/runtime";
import { lockBlob } from "../storage/blob-lock.js";
import type { BlobStore, PendingBlob } from "../storage/blob-store.js";
import { removeBlobIfUnreferenced } from "../storage/blob-sweeper.js";
import type { ImageStore } from "../store/image-store.js";
import { applyOperations, type ProcessedImage, planRender } from "./apply-operations.js";
import { ImageNotFoundError } from "./errors.js";
import type { ImageType } from "./image-type.js";
import {
  type ReceivedImage,
  receiveImage,
  type Upload,
  type UploadLimits,
  type UploadProgress,
} from "./receive-image.js";

const MiB = 1024 * 1024;

/** What every upload asks the workers for. */
export const THUMBNAIL: Operation = create(OperationSchema, {
  kind: { case: "thumbnail", value: { size: 128 } },
});

export interface ImageLibraryDeps {
  store: ImageStore;
  blobs: BlobStore;
  /** Every store commits through it, with its events. */
  outbox: Outbox;
  limits: UploadLimits;
  /** The work queue for thumbnail jobs (config JOBS_QUEUE; tests use their own). */
  jobsQueue: string;
  /** Bounds how much image processing runs at once: its slots are MiB of decoded pixels. */
  processing: ConcurrencyGate;
  /** The least MiB one render takes from the gate: the budget over the cores, so at most one render per core. */
  minRenderMiB: number;
}

/**
 * Decides whether the caller may act on an image once it is loaded (so an unknown id stays
 * NOT_FOUND): returns, or throws the access policy's error (domain/image-access.ts).
 */
export type Authorize = (image: Image) => void;

/** Runs `work` in one transaction: the database's own, or one that also records a handled event (the inbox). */
export type InTransaction = (work: (tx: Queryable) => Promise<void>) => Promise<unknown>;

/** How a variant is asked for: by a call (its deadline, its caller) or by a worker (its job). */
export interface ProcessOptions {
  /** A worker's job: a job already done returns the variant it made instead of making another. */
  jobId?: string;
  /** A call's signal: waiting for a processing slot ends with the call (its deadline). */
  signal?: AbortSignal;
  authorize?: Authorize;
}

/** An open download: what is being sent, and the file to read it from. */
export interface Download {
  image: Image;
  contentType: string;
  sizeBytes: bigint;
  sha256: string;
  file: FileHandle;
}

/**
 * What image-service does, whoever asks (gRPC handlers, image workers): store uploads, make
 * variants, hand out bytes. Every store is one transaction — metadata rows, outbox rows, and the
 * blob's rename as its last step — so a failure at any point stores nothing, and every stored
 * image or variant has its event.
 */
export class ImageLibrary {
  constructor(private readonly deps: ImageLibraryDeps) {}

  /** Receives and stores an upload; queues ImageUploaded and a thumbnail job. */
  async upload(upload: Upload): Promise<Image> {
    const received = await receiveImage(this.deps.blobs, upload, this.deps.limits);
    try {
      const image = newImage(upload.metadata, received);
      await this.deps.outbox.commit(async (tx) => {
        await this.#recordImage(tx, image);
        await this.#commitBlobs(tx, received.blob);
      });
      return image;
    } finally {
      await this.deps.blobs.discard(received.blob.tempPath);
    }
  }

  /**
   * Applies `operations` to a stored image and stores the result as its variant (see
   * ProcessOptions). A call that finds the processing queue full gets RESOURCE_EXHAUSTED; workers
   * (with a `jobId`) always wait their turn. An image deleted meanwhile is NOT_FOUND.
   */
  async process(
    imageId: string,
    operations: readonly Operation[],
    { jobId, signal, authorize }: ProcessOptions = {},
  ): Promise<ImageVariant> {
    if (jobId) {
      const done = await this.deps.store.variantOfJob(jobId);
      if (done) return done;
    }
    const image = await this.get(imageId, authorize);
    const { blob, result } = await this.#render(
      this.deps.blobs.pathOf(image.sha256),
      image.contentType as ImageType,
      operations,
      { ...(signal ? { signal } : {}), queue: jobId ? "always" : "bounded" },
    );
    try {
      const variant = newVariant(image.id, blob, result, operations);
      await this.deps.outbox.commit(async (tx) => {
        await this.#recordVariant(tx, image, variant, jobId);
        await this.#commitBlobs(tx, blob);
      });
      return variant;
    } finally {
      await this.deps.blobs.discard(blob.tempPath);
    }
  }

  /**
   * Receives an upload and processes it in one go, telling `progress` each stage; stores the
   * original and the variant together, or neither.
   */
  async uploadAndProcess(
    upload: Upload & { progress: UploadProgress & { processing(): void; storing(): void } },
    operations: readonly Operation[],
    signal?: AbortSignal,
  ): Promise<{ image: Image; variant: ImageVariant }> {
    const { metadata, progress } = upload;
    const received = await receiveImage(this.deps.blobs, upload, this.deps.limits);
    let rendered: { blob: PendingBlob; result: ProcessedImage } | undefined;
    try {
      progress.processing();
      rendered = await this.#render(received.blob.tempPath, received.contentType, operations, {
        ...(signal ? { signal } : {}),
      });
      const { blob, result } = rendered;
      progress.storing();
      const image = newImage(metadata, received);
      const variant = newVariant(image.id, blob, result, operations);
      await this.deps.outbox.commit(async (tx) => {
        await this.#recordImage(tx, image);
        await this.#recordVariant(tx, image, variant);
        await this.#commitBlobs(tx, received.blob, blob);
      });
      return { image: { ...image, variants: [variant] }, variant };
    } finally {
      await this.deps.blobs.discard(received.blob.tempPath);
      if (rendered) await this.deps.blobs.discard(rendered.blob.tempPath);
    }
  }

  /** One image with its variants; NOT_FOUND if there is none. */
  async get(imageId: string, authorize?: Authorize): Promise<Image> {
    const image = await this.deps.store.get(imageId);
    if (!image) throw new ImageNotFoundError(`image ${imageId} not found`);
    authorize?.(image);
    return image;
  }

  /**
   * Deletes an image and its variants, then the bytes no other row still references. NOT_FOUND
   * if there is no such image (a second delete too).
   */
  async delete(imageId: string, authorize?: Authorize): Promise<void> {
    if (authorize) await this.get(imageId, authorize);
    const { deleted, sha256s } = await this.deps.store.db.transaction((tx) =>
      this.deps.store.deleteImages(tx, { imageId }),
    );
    if (deleted === 0) throw new ImageNotFoundError(`image ${imageId} not found`);
    await this.#removeUnreferenced(sha256s);
  }

  /**
   * Deletes every image of an owner (a deleted user's), in `inTransaction` — e.g. together with
   * the inbox record of the event that asked — then the bytes no other row still references.
   * Returns how many images were deleted.
   */
  async deleteImagesOf(
    ownerId: string,
    inTransaction: InTransaction = (work) => this.deps.store.db.transaction(work),
  ): Promise<number> {
    let result = { deleted: 0, sha256s: [] as string[] };
    await inTransaction(async (tx) => {
      result = await this.deps.store.deleteImages(tx, { ownerId });
    });
    await this.#removeUnreferenced(result.sha256s);
    return result.deleted;
  }

  /**
   * After a delete has committed: removes each blob no row references any more, under its lock
   * (an upload of the same bytes at the same moment keeps them). Should this process stop first,
   * the hourly blob sweep removes what is left.
   */
  async #removeUnreferenced(sha256s: readonly string[]): Promise<void> {
    const { store, blobs } = this.deps;
    for (const sha256 of sha256s) await removeBlobIfUnreferenced({ db: store.db, blobs }, sha256);
  }

  /** Opens an image's bytes, or one of its variants'. The caller closes `file`. */
  async openDownload(imageId: string, variantId: string, authorize?: Authorize): Promise<Download> {
    const image = await this.get(imageId, authorize);
    const variant = variantId ? image.variants.find((v) => v.id === variantId) : undefined;
    if (variantId && !variant) {
      throw new ImageNotFoundError(`image ${imageId} has no variant ${variantId}`);
    }
    const what = variant ?? image;
    return {
      image,
      contentType: what.contentType,
      sizeBytes: what.sizeBytes,
      sha256: what.sha256,
      file: await this.deps.blobs.read(what.sha256),
    };
  }

  /** Renders `operations` into a new temporary file, hashed and ready to commit, once a processing slot is free. */
  async #render(
    input: string,
    type: ImageType,
    operations: readonly Operation[],
    wait: { signal?: AbortSignal; queue?: "bounded" | "always" },
  ) {
    const output = this.deps.blobs.tempPath();
    try {
      const { blobs, limits } = this.deps;
      const { heldBytes } = await planRender(input, operations, limits.maxPixels);
      const weight = Math.max(this.deps.minRenderMiB, Math.ceil(heldBytes / MiB));
      const result = await this.deps.processing.run(
        () => applyOperations(input, type, operations, output, limits.maxPixels, () => blobs.tempPath()),
        { ...wait, weight },
      );
      return { blob: await this.deps.blobs.pendingFromFile(output), result };
    } catch (error) {
      await this.deps.blobs.discard(output);
      throw error;
    }
  }

  /**
   * Moves blobs into place under their locks, so a concurrent sweep cannot remove them before `tx`
   * commits. Locks are taken in one global order (by address): two uploads never deadlock.
   */
  async #commitBlobs(tx: UnitOfWork, ...blobs: PendingBlob[]): Promise<void> {
    for (const sha256 of [...new Set(blobs.map((b) => b.sha256))].sort()) await lockBlob(tx, sha256);
    for (const blob of blobs) await this.deps.blobs.commit(blob);
  }

  async #recordImage(tx: UnitOfWork, image: Image): Promise<void> {
    await this.deps.store.insertImage(tx, image);
    await tx.emit(IMAGES_TOPIC, { schema: ImageUploadedSchema, data: { image }, subject: image.id });
    await tx.emit(this.deps.jobsQueue, {
      schema: ImageProcessingRequestedSchema,
      data: { imageId: image.id, ownerId: image.ownerId, operations: [THUMBNAIL] },
      subject: image.id,
    });
  }

  async #recordVariant(tx: UnitOfWork, image: Image, variant: ImageVariant, jobId?: string): Promise<void> {
    try {
      await this.deps.store.insertVariant(tx, variant, jobId);
    } catch (error) {
      // A foreign key violation: the image was deleted while this variant was being made.
      if ((error as { code?: string }).code === "23503")
        throw new ImageNotFoundError(`image ${image.id} was deleted`);
      throw error;
    }
    await tx.emit(IMAGES_TOPIC, {
      schema: ImageProcessedSchema,
      data: { imageId: image.id, ownerId: image.ownerId, variant },
      subject: image.id,
    });
  }
}

function newImage(metadata: UploadMetadata, received: ReceivedImage): Image {
  return create(ImageSchema, {
    id: randomUUID(),
    ownerId: metadata.ownerId,
    filename: metadata.filename,
    contentType: received.contentType,
    sizeBytes: BigInt(received.blob.size),
    width: received.width,
    height: received.height,
    sha256: received.blob.sha256,
    createTime: timestampNow(),
  });
}

function newVariant(
  imageId: string,
  blob: PendingBlob,
  result: ProcessedImage,
  operations: readonly Operation[],
): ImageVariant {
  return create(ImageVariantSchema, {
    id: randomUUID(),
    imageId,
    contentType: result.contentType,
    width: result.width,
    height: result.height,
    sizeBytes: BigInt(blob.size),
    sha256: blob.sha256,
    operations: [...operations],
    createTime: timestampNow(),
  });
}
