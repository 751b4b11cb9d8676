import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";
import type {
  DeleteImageRequest,
  DownloadImageRequest,
  DownloadImageResponseSchema,
  GetImageRequest,
  ImageService,
  ListImagesRequest,
  ProcessImageRequest,
  ProcessImageStreamRequest,
  ProcessImageStreamResponseSchema,
  ProcessImageStreamStart,
  UploadImageRequest,
  UploadMetadata,
} from "@switchboard/proto/switchboard/image/v1/image_service_pb.js";
import { Stage, UploadMetadataSchema } from "@switchboard/proto/switchboard/image/v1/image_service_pb.js";
import { AsyncQueue, callerOf, decodePageCursor, encodePageCursor, streamTask } from "@switchboard/runtime";
import { type ImageAction, imageAuthorizer, ownerFor } from "../domain/image-access.js";
import type { ImageLibrary } from "../domain/image-library.js";
import type { ImageStore } from "../store/image-store.js";
import { readStartThenChunks } from "./client-stream.js";
import { decided, mapped } from "./status.js";

const KiB = 1024;
/** RECEIVING progress is skipped while this many replies wait unread: a slow reader gets fewer, never a backlog. */
const PROGRESS_BACKLOG = 16;

type StreamReply = MessageInitShape<typeof ProcessImageStreamResponseSchema>;

/** switchboard.image.v1.ImageService: the contract's calls, mapped onto the ImageLibrary, and its errors → status codes. */
export class ImageHandlers implements ServiceImpl<typeof ImageService> {
  constructor(
    private readonly library: ImageLibrary,
    private readonly store: ImageStore,
  ) {}

  async uploadImage(requests: AsyncIterable<UploadImageRequest>, context: HandlerContext) {
    const { start, chunks } = await readStartThenChunks<"metadata", UploadMetadata>(requests, "metadata");
    const metadata = await ownedMetadata(start, "upload", context);
    return {
      image: await mapped(this.library.upload({ metadata, chunks })),
    };
  }

  /**
   * Metadata, then the bytes in `chunk_size` pieces read from the file one at a time: connect
   * pulls the next piece only when the previous one was written, so HTTP/2 flow control — a slow
   * client — holds the file reads back, and at most a chunk or two is in memory.
   */
  async *downloadImage(
    request: DownloadImageRequest,
    context: HandlerContext,
  ): AsyncGenerator<MessageInitShape<typeof DownloadImageResponseSchema>> {
    const chunkSize = request.chunkSize || 64 * KiB;
    const download = await mapped(
      this.library.openDownload(request.imageId, request.variantId, authorizer(context, "download")),
    );
    try {
      const { file, ...metadata } = download;
      // offset/length select a byte range (an HTTP Range); the metadata still describes the whole file.
      const size = Number(download.sizeBytes);
      const start = Number(request.offset);
      if (start > 0 && start >= size)
        throw new ConnectError(`offset ${start} is past the end (${size} bytes)`, Code.OutOfRange);
      const end = request.length > 0n ? Math.min(size, start + Number(request.length)) : size;
      yield { data: { case: "metadata", value: metadata } };
      for (let position = start; position < end; ) {
        context.signal.throwIfAborted();
        const buffer = Buffer.allocUnsafe(Math.min(chunkSize, end - position));
        const { bytesRead } = await file.read(buffer, 0, buffer.length, position);
        if (bytesRead === 0) throw new Error(`blob ${download.sha256} ended early at ${position} bytes`);
        position += bytesRead;
        yield { data: { case: "chunk", value: buffer.subarray(0, bytesRead) } };
      }
    } finally {
      await download.file.close();
    }
  }

  async processImage(request: ProcessImageRequest, context: HandlerContext) {
    return {
      variant: await mapped(
        this.library.process(request.imageId, request.operations, {
          signal: context.signal,
          authorize: authorizer(context, "process"),
        }),
      ),
    };
  }

  /**
   * A live session: progress goes out while the chunks still come in. The upload runs as its own
   * task feeding a queue that this generator drains, so a reply never waits for the next request.
   * RECEIVING progress is skipped while the client is behind on reading; stages and the result
   * are never skipped.
   */
  async *processImageStream(
    requests: AsyncIterable<ProcessImageStreamRequest>,
    context: HandlerContext,
  ): AsyncGenerator<StreamReply> {
    const { start, chunks } = await readStartThenChunks<"start", ProcessImageStreamStart>(requests, "start");
    // metadata is required by the contract's validation rules.
    const metadata = await ownedMetadata(start.metadata as UploadMetadata, "process", context);
    const replies = new AsyncQueue<StreamReply>(Number.POSITIVE_INFINITY, context.signal);
    let received = 0n;
    const progress = (stage: Stage) =>
      replies.push({
        data: { case: "progress", value: { stage, bytesReceived: received, bytesTotal: metadata.sizeBytes } },
      });
    const work = async () => {
      const result = await mapped(
        this.library.uploadAndProcess(
          {
            metadata,
            chunks,
            progress: {
              received: (bytes) => {
                received = BigInt(bytes);
                if (replies.size < PROGRESS_BACKLOG) progress(Stage.RECEIVING);
              },
              decoding: () => progress(Stage.DECODING),
              processing: () => progress(Stage.PROCESSING),
              storing: () => progress(Stage.STORING),
            },
          },
          start.operations,
          context.signal,
        ),
      );
      progress(Stage.DONE);
      replies.push({ data: { case: "result", value: result } });
    };
    // settle: the call ends only once the upload's temporary files are gone.
    yield* streamTask(replies, work, { settle: true });
  }

  async getImage(request: GetImageRequest, context: HandlerContext) {
    return { image: await mapped(this.library.get(request.imageId, authorizer(context, "get"))) };
  }

  async deleteImage(request: DeleteImageRequest, context: HandlerContext) {
    await mapped(this.library.delete(request.imageId, authorizer(context, "delete")));
    return {};
  }

  async listImages(request: ListImagesRequest, context: HandlerContext) {
    const pageSize = request.pageSize || 20;
    const cursor = decodePageCursor(request.pageToken);
    const ownerId = await decided(() => ownerFor(callerOf(context), "list", request.ownerId, "owner_id"));
    const images = await this.store.list(ownerId, pageSize + 1, cursor);
    const page = images.slice(0, pageSize);
    const last = page.at(-1);
    const nextPageToken =
      images.length > pageSize && last?.createTime
        ? encodePageCursor({ time: timestampDate(last.createTime), id: last.id })
        : "";
    return { images: page, nextPageToken };
  }
}

/** The library's check of a loaded image, for this call's caller. */
const authorizer = (context: HandlerContext, action: ImageAction) =>
  imageAuthorizer(callerOf(context), action);

/** The upload's metadata with its owner decided by the access policy (empty: the caller). */
const ownedMetadata = (metadata: UploadMetadata, action: ImageAction, context: HandlerContext) =>
  decided(() =>
    create(UploadMetadataSchema, {
      ...metadata,
      ownerId: ownerFor(callerOf(context), action, metadata.ownerId, "metadata.owner_id"),
    }),
  );
