import type { UploadMetadata } from "@switchboard/proto/switchboard/image/v1/image_service_pb.js";
import { invalidInput } from "@switchboard/runtime";
import sharp from "sharp";
import type { BlobStore, PendingBlob } from "../storage/blob-store.js";
import { ImageTooLargeError } from "./errors.js";
import { detectImageType, type ImageType } from "./image-type.js";

export interface UploadLimits {
  /** Largest chunk in one message. */
  maxChunkBytes: number;
  /** Largest whole upload. */
  maxUploadBytes: number;
  /** Largest image in pixels (width × height). */
  maxPixels: number;
}

/** Told how an upload is going: the running byte total after each chunk, then when checking starts. */
export interface UploadProgress {
  received?(bytes: number): void;
  decoding?(): void;
}

/**
 * An upload as it arrives: its metadata and its chunks. A cancelled call makes `chunks` throw
 * CANCELED rather than end (the service kit's cancelledStreamInterceptor).
 */
export interface Upload {
  metadata: UploadMetadata;
  chunks: AsyncIterable<Uint8Array>;
  progress?: UploadProgress;
}

/** Received, verified bytes of a real image, in a temporary file not yet committed. */
export interface ReceivedImage {
  blob: PendingBlob;
  contentType: ImageType;
  width: number;
  height: number;
}

const tooLarge = (message: string) => new ImageTooLargeError(message);

/**
 * Receives an upload's chunks into a temporary file — hashing and counting as they arrive, never
 * holding the image in memory — then checks what arrived against the metadata and the limits:
 * size, sha256, the real type from its magic bytes, its dimensions (read from the header only,
 * so a pixel flood is refused before anything decodes it), and that every pixel decodes. On any failure, including the client
 * cancelling, the temporary file is removed and the error thrown: nothing is left behind.
 */
export async function receiveImage(
  blobs: BlobStore,
  upload: Upload,
  limits: UploadLimits,
): Promise<ReceivedImage> {
  const { metadata, chunks, progress = {} } = upload;
  const declared = Number(metadata.sizeBytes);
  if (declared > limits.maxUploadBytes) {
    throw tooLarge(`size_bytes ${declared} is over the upload limit of ${limits.maxUploadBytes} bytes`);
  }
  const writer = await blobs.writer();
  try {
    for await (const chunk of chunks) {
      if (chunk.length > limits.maxChunkBytes) {
        throw tooLarge(`a chunk of ${chunk.length} bytes is over the limit of ${limits.maxChunkBytes} bytes`);
      }
      if (writer.size + chunk.length > limits.maxUploadBytes) {
        throw tooLarge(`the upload is over the limit of ${limits.maxUploadBytes} bytes`);
      }
      if (declared > 0 && writer.size + chunk.length > declared) {
        throw invalidInput([
          { field: "metadata.size_bytes", description: `is ${declared}, but more bytes arrived` },
        ]);
      }
      await writer.write(chunk);
      progress.received?.(writer.size);
    }
    const blob = await writer.finish();
    progress.decoding?.();
    return { blob, ...(await inspect(blob, metadata, writer.head, limits)) };
  } catch (error) {
    await writer.discard();
    throw error;
  }
}

async function inspect(blob: PendingBlob, metadata: UploadMetadata, head: Buffer, limits: UploadLimits) {
  const declared = Number(metadata.sizeBytes);
  if (blob.size === 0) throw invalidInput([{ field: "chunk", description: "no image bytes arrived" }]);
  if (declared > 0 && blob.size !== declared) {
    throw invalidInput([
      { field: "metadata.size_bytes", description: `is ${declared}, but ${blob.size} bytes arrived` },
    ]);
  }
  if (metadata.sha256 && metadata.sha256 !== blob.sha256) {
    throw invalidInput([
      {
        field: "metadata.sha256",
        description: `is ${metadata.sha256}, but the bytes hash to ${blob.sha256}`,
      },
    ]);
  }
  const contentType = detectImageType(head);
  if (!contentType) {
    throw invalidInput([
      {
        field: "chunk",
        description: "the bytes are not a PNG, JPEG, WebP or GIF image (judged by their content)",
      },
    ]);
  }
  const { width, height } = await dimensions(blob.tempPath, contentType);
  if (width * height > limits.maxPixels) {
    throw invalidInput([
      {
        field: "chunk",
        description: `the image is ${width}x${height} = ${width * height} pixels, over the limit of ${limits.maxPixels}`,
      },
    ]);
  }
  await decodesFully(blob.tempPath, contentType, limits.maxPixels);
  return { contentType, width, height };
}

/**
 * Decodes every pixel (into a 64×64 preview that is thrown away, so memory stays small), so only
 * complete, decodable images are stored: a truncated or garbled file — or a cancelled upload
 * that looked complete — is refused here rather than failing later in a worker.
 */
async function decodesFully(path: string, type: ImageType, maxPixels: number): Promise<void> {
  try {
    await sharp(path, { failOn: "truncated", limitInputPixels: maxPixels })
      .resize(64, 64, { fit: "fill" })
      .raw()
      .toBuffer();
  } catch (error) {
    throw invalidInput([
      { field: "chunk", description: `the ${type} image cannot be decoded: ${(error as Error).message}` },
    ]);
  }
}

/** Width and height from the image's header (sharp reads no pixels for this). */
async function dimensions(path: string, type: ImageType): Promise<{ width: number; height: number }> {
  try {
    const { width, height } = await sharp(path).metadata();
    if (width && height) return { width, height };
  } catch {
    // reported below: a header sharp cannot read is as unusable as one without dimensions
  }
  throw invalidInput([
    { field: "chunk", description: `the ${type} header is damaged: its dimensions cannot be read` },
  ]);
}
