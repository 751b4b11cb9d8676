import { createHash } from "node:crypto";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { Timestamp } from "@bufbuild/protobuf/wkt";
import {
  type CallOptions,
  type Client,
  Code,
  ConnectError,
  type HandlerContext,
  type ServiceImpl,
} from "@connectrpc/connect";
import type { Image } from "@switchboard/proto/switchboard/image/v1/image_pb.js";
import type {
  ImageService,
  UploadImageRequestSchema,
} from "@switchboard/proto/switchboard/image/v1/image_service_pb.js";
import type { User } from "@switchboard/proto/switchboard/user/v1/user_pb.js";
import type { UserService } from "@switchboard/proto/switchboard/user/v1/user_service_pb.js";
import type { GetImage, GetUserRequest, UsuarioServicio } from "@switchboard/proto/user/usuario_pb.js";
import { AsyncQueue, invalidArgument, type Logger, streamTask } from "@switchboard/runtime";

const KiB = 1024;
const MiB = 1024 * KiB;
/** Chunk size of uploads made from one whole image (image-service's recommended size). */
const UPLOAD_CHUNK_BYTES = 64 * KiB;
/** Largest image bytes in one message, as image-service accepts them. */
const MAX_MESSAGE_IMAGE_BYTES = 1 * MiB;
/**
 * Largest avatar sent in a GetAllReply: the whole reply (name, pow and avatar) must fit the 4 MiB a
 * stock gRPC client receives by default; 1 KiB is left for the name (at most 100 characters) and framing.
 */
const MAX_AVATAR_BYTES = 4 * MiB - 1 * KiB;
/** The seed's `pow` modulus: a prime below 2^31 - 1, so every result fits GetAllReply's int32. */
const POW_MODULUS = 1_000_000_007n;
const MAX_POW = 64;
/** User names are 1 to 100 characters (switchboard.user.v1.User): others cannot match. */
const MAX_NAME_CHARS = 100;
/** The reserved owner of images whose sender names no known user. */
const ANONYMOUS = "anonymous";
/** Deadlines for downstream calls when the caller set none: lookups, and image transfers. */
const LOOKUP_TIMEOUT_MS = 10_000;
const TRANSFER_TIMEOUT_MS = 120_000;
/** ImageStreamReply replies a client may leave unread before the call is ended. */
const REPLY_BUFFER = 1_000;

export interface UsuarioServicioDeps {
  /** user-service's own UserService (in process), through its gRPC contract. */
  users: Client<typeof UserService>;
  /** image-service, through its gRPC contract. */
  images: Client<typeof ImageService>;
  logger: Logger;
}

type UploadMessage = MessageInitShape<typeof UploadImageRequestSchema>;

/**
 * user.UsuarioServicio — the seed contract, wire-exact — as an adapter over the real services'
 * contracts: users are found through UserService.ListUsers, images stored and read through
 * ImageService. It keeps no state of its own; image-service's errors (INVALID_ARGUMENT for bytes
 * that are not an image, RESOURCE_EXHAUSTED over its upload cap) pass through unchanged.
 *
 * Streamed images (GetStreamImage, ImageStreamReply) are relayed chunk by chunk into one
 * ImageService.UploadImage call as they arrive: the metadata says `size_bytes` 0 ("not known in
 * advance", which the contract allows for relays), so nothing is buffered or spooled here, HTTP/2
 * flow control runs end to end, and image-service's total cap applies. A cancelled seed call
 * cancels the upload, which then stores nothing.
 */
export class UsuarioServicioHandlers implements ServiceImpl<typeof UsuarioServicio> {
  readonly #users: Client<typeof UserService>;
  readonly #images: Client<typeof ImageService>;
  readonly #logger: Logger;

  constructor(deps: UsuarioServicioDeps) {
    this.#users = deps.users;
    this.#images = deps.images;
    this.#logger = deps.logger;
  }

  /** "id=… name=… email=…" (and " avatar=…") of the user with this name; NOT_FOUND if none. */
  async getUser(request: GetUserRequest, context: HandlerContext) {
    const user = await this.#requireUser(request.name, context);
    const avatar = user.avatarImageId ? ` avatar=${user.avatarImageId}` : "";
    return { message: `id=${user.id} name=${user.name} email=${user.email}${avatar}` };
  }

  /** Stores `image` through image-service, owned by the named user if there is one. */
  async processImage(request: GetUserRequest, context: HandlerContext) {
    const bytes = request.image;
    if (bytes.length === 0) throw invalidArgument([{ field: "image", description: "is empty" }]);
    checkMessageSize(bytes);
    const owner = request.name ? await this.#findUser(request.name, context) : undefined;
    const image = await this.#upload(
      {
        ownerId: owner?.id ?? ANONYMOUS,
        sizeBytes: BigInt(bytes.length),
        sha256: createHash("sha256").update(bytes).digest("hex"),
      },
      chunksOf(bytes),
      context,
    );
    return { message: describeImage(image) };
  }

  /** One image from a client stream of chunks, relayed into image-service as they arrive. */
  async getStreamImage(requests: AsyncIterable<GetImage>, context: HandlerContext) {
    const image = await this.#upload({ ownerId: ANONYMOUS, sizeBytes: 0n }, relayed(requests), context);
    return { message: describeImage(image) };
  }

  /**
   * "received N bytes" for each chunk as it is relayed into image-service, then the stored image's
   * summary. A client that leaves REPLY_BUFFER replies unread is ended with RESOURCE_EXHAUSTED.
   */
  async *imageStreamReply(requests: AsyncIterable<GetImage>, context: HandlerContext) {
    const replies = new AsyncQueue<{ message: string }>(REPLY_BUFFER, context.signal);
    const reply = (message: string) => {
      if (!replies.push({ message })) {
        replies.end(new ConnectError("replies left unread for too long", Code.ResourceExhausted));
      }
    };
    // The upload ends too if the replies end first (an unread client, or a cancelled call).
    yield* streamTask(replies, async (stop) => {
      const image = await this.#upload(
        { ownerId: ANONYMOUS, sizeBytes: 0n },
        relayed(requests, (total) => reply(`received ${total} bytes`)),
        context,
        stop,
      );
      reply(describeImage(image));
    });
  }

  /**
   * One reply per request, in order: the user's name, (sum of the name's UTF-8 bytes)^pow mod
   * 1e9+7, and the avatar's bytes. A bad `pow` (INVALID_ARGUMENT) or an unknown name (NOT_FOUND)
   * ends the stream; the replies already sent stand.
   */
  async *getUserBidiStream(requests: AsyncIterable<GetUserRequest>, context: HandlerContext) {
    for await (const request of requests) {
      if (request.pow < 0 || request.pow > MAX_POW) {
        throw invalidArgument([{ field: "pow", description: `must be between 0 and ${MAX_POW}` }]);
      }
      const user = await this.#requireUser(request.name, context);
      yield {
        name: user.name,
        pow: namePower(user.name, request.pow),
        image: await this.#avatar(user, context),
      };
    }
  }

  async #requireUser(name: string, context: HandlerContext): Promise<User> {
    const user = await this.#findUser(name, context);
    if (!user) throw new ConnectError(`no user named ${JSON.stringify(name)}`, Code.NotFound);
    return user;
  }

  /**
   * The oldest user whose name is exactly `name` (case-sensitive). ListUsers filters by a
   * case-insensitive substring in id order, so every match is read and the oldest kept.
   */
  async #findUser(name: string, context: HandlerContext): Promise<User | undefined> {
    if (name.length === 0 || [...name].length > MAX_NAME_CHARS) return undefined;
    let oldest: User | undefined;
    const matches = this.#users.listUsers({ query: name }, callOptions(context, LOOKUP_TIMEOUT_MS));
    for await (const { user } of matches) {
      if (user?.name === name && (!oldest || isOlder(user, oldest))) oldest = user;
    }
    return oldest;
  }

  /** ImageService.UploadImage: the metadata, then the chunks. Its errors pass through unchanged. */
  async #upload(
    metadata: { ownerId: string; sizeBytes: bigint; sha256?: string },
    chunks: AsyncIterable<Uint8Array>,
    context: HandlerContext,
    stop?: AbortSignal,
  ): Promise<Image> {
    async function* messages(): AsyncGenerator<UploadMessage> {
      yield { data: { case: "metadata", value: { ...metadata, filename: `usuario-${Date.now()}` } } };
      for await (const chunk of chunks) yield { data: { case: "chunk", value: chunk } };
    }
    const options = callOptions(context, TRANSFER_TIMEOUT_MS);
    if (stop) options.signal = AbortSignal.any([context.signal, stop]);
    const { image } = await this.#images.uploadImage(messages(), options);
    if (!image) throw new ConnectError("image-service returned no image", Code.Internal);
    return image;
  }

  /**
   * The avatar's bytes; none when the user has none, when it is gone from image-service, or when it
   * is too large for one reply (MAX_AVATAR_BYTES).
   */
  async #avatar(user: User, context: HandlerContext): Promise<Uint8Array> {
    if (!user.avatarImageId) return new Uint8Array();
    const parts: Uint8Array[] = [];
    try {
      const download = this.#images.downloadImage(
        { imageId: user.avatarImageId },
        callOptions(context, TRANSFER_TIMEOUT_MS),
      );
      for await (const { data } of download) {
        if (data.case === "metadata" && data.value.sizeBytes > BigInt(MAX_AVATAR_BYTES)) {
          this.#logger.info(
            { userId: user.id, imageId: user.avatarImageId, sizeBytes: data.value.sizeBytes.toString() },
            "avatar too large for one reply; sent empty",
          );
          return new Uint8Array(); // leaving the loop cancels the download
        }
        if (data.case === "chunk") parts.push(data.value);
      }
    } catch (error) {
      if (ConnectError.from(error).code !== Code.NotFound) throw error;
      this.#logger.warn(
        { userId: user.id, imageId: user.avatarImageId },
        "avatar not found in image-service",
      );
      return new Uint8Array();
    }
    return Buffer.concat(parts);
  }
}

/** (sum of the UTF-8 bytes of `name`) ^ `pow` mod 1,000,000,007: always below 2^31 - 1. */
export function namePower(name: string, pow: number): number {
  let base = 0n;
  for (const byte of Buffer.from(name, "utf8")) base += BigInt(byte);
  base %= POW_MODULUS;
  let result = 1n;
  for (let i = 0; i < pow; i++) result = (result * base) % POW_MODULUS;
  return Number(result);
}

/** "image <id>: <size> bytes, <type>, <W>x<H>": the seed's summary of a stored image. */
function describeImage(image: Image): string {
  return `image ${image.id}: ${image.sizeBytes} bytes, ${image.contentType}, ${image.width}x${image.height}`;
}

/** The caller's cancellation and remaining deadline (or `fallbackMs`), passed on downstream. */
function callOptions(context: HandlerContext, fallbackMs: number): CallOptions {
  return { signal: context.signal, timeoutMs: context.timeoutMs() ?? fallbackMs };
}

function isOlder(a: User, b: User): boolean {
  const order = compareTimestamps(a.createTime, b.createTime);
  return order < 0 || (order === 0 && a.id < b.id);
}

function compareTimestamps(a: Timestamp | undefined, b: Timestamp | undefined): number {
  const seconds = (a?.seconds ?? 0n) - (b?.seconds ?? 0n);
  return seconds !== 0n ? Number(seconds) : (a?.nanos ?? 0) - (b?.nanos ?? 0);
}

function checkMessageSize(bytes: Uint8Array): void {
  if (bytes.length > MAX_MESSAGE_IMAGE_BYTES) {
    throw new ConnectError(
      `image bytes in one message are at most ${MAX_MESSAGE_IMAGE_BYTES} (got ${bytes.length}); send chunks`,
      Code.ResourceExhausted,
    );
  }
}

async function* chunksOf(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < bytes.length; offset += UPLOAD_CHUNK_BYTES) {
    yield bytes.subarray(offset, offset + UPLOAD_CHUNK_BYTES);
  }
}

/**
 * The chunks of a seed image stream, one at a time as they are pulled (so flow control reaches the
 * sender), each checked against the message cap; `onChunk` hears the running total. No bytes at
 * all is INVALID_ARGUMENT. A cancelled call makes `requests` throw CANCELED rather than end (the
 * service kit's cancelledStreamInterceptor), so a cut-off image is never relayed as complete.
 */
async function* relayed(
  requests: AsyncIterable<GetImage>,
  onChunk?: (total: number) => void,
): AsyncGenerator<Uint8Array> {
  let total = 0;
  for await (const { image } of requests) {
    checkMessageSize(image);
    total += image.length;
    onChunk?.(total);
    yield image;
  }
  if (total === 0) throw invalidArgument([{ field: "image", description: "no image bytes received" }]);
}
