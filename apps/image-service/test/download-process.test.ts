import { createHash } from "node:crypto";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import type { ClientReadableStream } from "@grpc/grpc-js";
import {
  Fit,
  ImageFormat,
  type Operation,
  OperationSchema,
} from "@switchboard/proto/switchboard/image/v1/image_pb.js";
import {
  DownloadImageRequestSchema,
  type DownloadImageResponse,
  ImageService,
  type ProcessImageStreamRequest,
  ProcessImageStreamRequestSchema,
  Stage,
} from "@switchboard/proto/switchboard/image/v1/image_service_pb.js";
import { fieldViolations } from "@switchboard/runtime";
import { callError, collect, type connectClient, grpcJsBearer, grpcJsClient } from "@switchboard/testing";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ImageServiceUnderTest,
  KiB,
  makeImage,
  OWNER,
  startImageService,
  uploadMessages,
} from "./harness.js";

const OWNER_2 = "0b0e0000-0000-4000-8000-000000000002";

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
const op = (kind: MessageInitShape<typeof OperationSchema>["kind"]) => create(OperationSchema, { kind });

let service: ImageServiceUnderTest;
let client: ReturnType<typeof connectClient<typeof ImageService>>;

beforeAll(async () => {
  service = await startImageService();
  client = service.client();
});
afterAll(() => service?.close());

async function upload(bytes: Uint8Array, ownerId = OWNER) {
  const { image } = await client.uploadImage(uploadMessages(bytes, { ownerId }));
  if (!image) throw new Error("no image");
  return image;
}

/** The bytes of a download, and the sizes of its chunks. */
function bytesOf(messages: DownloadImageResponse[]) {
  const chunks = messages.flatMap((m) => (m.data.case === "chunk" ? [m.data.value] : []));
  return { bytes: Buffer.concat(chunks), sizes: chunks.map((chunk) => chunk.length) };
}

describe("DownloadImage", () => {
  it("sends metadata, then chunks of exactly the requested size, that concatenate to the upload", async () => {
    const png = await makeImage("png", 120, 100); // about 36 KiB of noise
    const image = await upload(png);
    const messages = await collect(client.downloadImage({ imageId: image.id, chunkSize: 4 * KiB }));
    expect(messages[0]?.data).toMatchObject({
      case: "metadata",
      value: {
        contentType: "image/png",
        sizeBytes: BigInt(png.length),
        sha256: sha256(png),
        image: { id: image.id },
      },
    });
    const { bytes, sizes } = bytesOf(messages.slice(1));
    expect(bytes.equals(png)).toBe(true);
    expect(sizes.slice(0, -1).every((size) => size === 4 * KiB)).toBe(true);
    expect(sizes.at(-1)).toBe(png.length % (4 * KiB) || 4 * KiB);
  });

  it("sends only the byte range offset/length asks for (metadata still of the whole file); OUT_OF_RANGE past the end", async () => {
    const png = await makeImage("png", 120, 100);
    const image = await upload(png);
    const range = async (offset: number, length: number) =>
      bytesOf(
        (
          await collect(
            client.downloadImage({
              imageId: image.id,
              offset: BigInt(offset),
              length: BigInt(length),
              chunkSize: 4 * KiB,
            }),
          )
        ).slice(1),
      ).bytes;
    expect((await range(100, 5000)).equals(png.subarray(100, 5100))).toBe(true);
    expect((await range(png.length - 10, 0)).equals(png.subarray(png.length - 10))).toBe(true);
    expect((await range(5, 10 * png.length)).equals(png.subarray(5))).toBe(true);
    const past = await callError(() =>
      collect(client.downloadImage({ imageId: image.id, offset: BigInt(png.length) })),
    );
    expect(past.code).toBe(Code.OutOfRange);
  });

  it("works for a stock grpc-js client too (64 KiB chunks by default)", async () => {
    const png = await makeImage("png", 200, 200);
    const image = await upload(png);
    const stock = grpcJsClient(ImageService, service.address, {
      interceptors: [grpcJsBearer(service.adminToken)],
    });
    const messages: DownloadImageResponse[] = [];
    await new Promise<void>((resolve, reject) => {
      const download = stock.DownloadImage as unknown as (
        request: unknown,
      ) => ClientReadableStream<DownloadImageResponse>;
      const call = download.call(stock, create(DownloadImageRequestSchema, { imageId: image.id }));
      call.on("data", (message) => messages.push(message));
      call.on("end", resolve);
      call.on("error", reject);
    });
    stock.close();
    const { bytes, sizes } = bytesOf(messages.slice(1));
    expect(bytes.equals(png)).toBe(true);
    expect(sizes[0]).toBe(64 * KiB);
  });

  it("NOT_FOUND for an unknown image or variant; INVALID_ARGUMENT for a silly chunk size", async () => {
    const image = await upload(await makeImage("png"));
    const unknownImage = await callError(() =>
      collect(client.downloadImage({ imageId: crypto.randomUUID() })),
    );
    expect(unknownImage.code).toBe(Code.NotFound);
    const unknownVariant = await callError(() =>
      collect(client.downloadImage({ imageId: image.id, variantId: crypto.randomUUID() })),
    );
    expect(unknownVariant.code).toBe(Code.NotFound);
    const tiny = await callError(() => collect(client.downloadImage({ imageId: image.id, chunkSize: 10 })));
    expect(fieldViolations(tiny).map((v) => v.field)).toEqual(["chunk_size"]);
  });
});

describe("ProcessImage", () => {
  /** Decodes a variant's bytes through DownloadImage. */
  async function pixelsOf(imageId: string, variantId: string) {
    const { bytes } = bytesOf((await collect(client.downloadImage({ imageId, variantId }))).slice(1));
    return sharp(bytes).raw().toBuffer({ resolveWithObject: true });
  }

  it("makes a grayscale variant whose every pixel has R = G = B", async () => {
    const original = await upload(await makeImage("png", 40, 30));
    const { variant } = await client.processImage({
      imageId: original.id,
      operations: [op({ case: "grayscale", value: {} })],
    });
    expect(variant).toMatchObject({ imageId: original.id, contentType: "image/png", width: 40, height: 30 });
    const { data, info } = await pixelsOf(original.id, variant?.id ?? "");
    expect(info.channels === 1 || info.channels === 3).toBe(true);
    if (info.channels === 3) {
      for (let i = 0; i < data.length; i += 3) {
        expect(data[i] === data[i + 1] && data[i + 1] === data[i + 2]).toBe(true);
      }
    }
    // and the noise was really turned grey, not flattened: many distinct shades remain
    expect(new Set(data).size).toBeGreaterThan(50);
    const { image } = await client.getImage({ imageId: original.id });
    expect(image?.variants.map((v) => v.id)).toContain(variant?.id);
  });

  it("applies steps in the order given: rotate then resize differs from resize then rotate", async () => {
    const original = await upload(await makeImage("jpeg", 200, 100));
    const rotate = op({ case: "rotate", value: { degrees: 90 } });
    const resize = op({ case: "resize", value: { width: 50, height: 50, fit: Fit.FILL } });
    const box = op({ case: "resize", value: { width: 100, fit: Fit.INSIDE } });
    const a = await client.processImage({ imageId: original.id, operations: [rotate, box] });
    const b = await client.processImage({ imageId: original.id, operations: [box, rotate] });
    expect([a.variant?.width, a.variant?.height]).toEqual([100, 200]); // 100×200 after the turn, fits 100 wide
    expect([b.variant?.width, b.variant?.height]).toEqual([50, 100]); // 100×50 first, then turned
    const filled = await client.processImage({ imageId: original.id, operations: [resize] });
    expect([filled.variant?.width, filled.variant?.height]).toEqual([50, 50]);
  });

  it("thumbnails within the size, and converts the format (the bytes really are WebP)", async () => {
    const original = await upload(await makeImage("png", 300, 150));
    const { variant } = await client.processImage({
      imageId: original.id,
      operations: [
        op({ case: "thumbnail", value: { size: 64 } }),
        op({ case: "format", value: { format: ImageFormat.WEBP, quality: 80 } }),
      ],
    });
    expect(variant).toMatchObject({ contentType: "image/webp", width: 64, height: 32 });
    const { info } = await pixelsOf(original.id, variant?.id ?? "");
    expect([info.width, info.height]).toEqual([64, 32]);
    const { bytes } = bytesOf(
      (await collect(client.downloadImage({ imageId: original.id, variantId: variant?.id ?? "" }))).slice(1),
    );
    expect(bytes.subarray(8, 12).toString("latin1")).toBe("WEBP");
  });

  it("refuses what the contract's rules forbid, and unknown images", async () => {
    const original = await upload(await makeImage("png"));
    const badTurn = await callError(() =>
      client.processImage({
        imageId: original.id,
        operations: [op({ case: "rotate", value: { degrees: 45 } })],
      }),
    );
    expect(fieldViolations(badTurn).map((v) => v.field)).toEqual(["operations[0].rotate.degrees"]);
    const none = await callError(() => client.processImage({ imageId: original.id, operations: [] }));
    expect(none.code).toBe(Code.InvalidArgument);
    const unknown = await callError(() =>
      client.processImage({
        imageId: crypto.randomUUID(),
        operations: [op({ case: "grayscale", value: {} })],
      }),
    );
    expect(unknown.code).toBe(Code.NotFound);
  });
});

describe("ProcessImageStream", () => {
  function session(bytes: Uint8Array, operations: Operation[], chunkSize = 8 * KiB) {
    return (async function* (): AsyncGenerator<ProcessImageStreamRequest> {
      yield create(ProcessImageStreamRequestSchema, {
        data: {
          case: "start",
          value: {
            metadata: { filename: "s.png", ownerId: OWNER_2, sizeBytes: BigInt(bytes.length) },
            operations,
          },
        },
      });
      for (let offset = 0; offset < bytes.length; offset += chunkSize) {
        yield create(ProcessImageStreamRequestSchema, {
          data: { case: "chunk", value: bytes.subarray(offset, offset + chunkSize) },
        });
      }
    })();
  }

  it("reports progress while the chunks arrive, then each stage once, then the result", async () => {
    const png = await makeImage("png", 100, 100); // about 30 KiB: 4 chunks of 8 KiB
    const replies = await collect(
      client.processImageStream(session(png, [op({ case: "grayscale", value: {} })])),
    );
    const progress = replies.flatMap((r) => (r.data.case === "progress" ? [r.data.value] : []));
    const stages = progress.map((p) => p.stage);
    const receiving = progress.filter((p) => p.stage === Stage.RECEIVING);
    expect(receiving.length).toBeGreaterThanOrEqual(1);
    expect(receiving.length).toBeLessThanOrEqual(Math.ceil(png.length / (8 * KiB)));
    expect(receiving.at(-1)?.bytesReceived).toBe(BigInt(png.length));
    expect(progress.every((p) => p.bytesTotal === BigInt(png.length))).toBe(true);
    expect(stages.filter((s) => s !== Stage.RECEIVING)).toEqual([
      Stage.DECODING,
      Stage.PROCESSING,
      Stage.STORING,
      Stage.DONE,
    ]);
    const last = replies.at(-1)?.data;
    expect(last?.case).toBe("result");
    if (last?.case !== "result") return;
    expect(last.value.image).toMatchObject({ ownerId: OWNER_2, sha256: sha256(png), width: 100 });
    expect(last.value.variant).toMatchObject({ imageId: last.value.image?.id, width: 100, height: 100 });
    const { image } = await client.getImage({ imageId: last.value.image?.id ?? "" });
    expect(image?.variants.map((v) => v.id)).toEqual([last.value.variant?.id]);
  });

  it("sends progress before the client has finished sending (a live session, not a batch)", async () => {
    const png = await makeImage("png", 100, 100);
    let releaseRest!: () => void;
    const rest = new Promise<void>((resolve) => {
      releaseRest = resolve;
    });
    async function* halting(): AsyncGenerator<ProcessImageStreamRequest> {
      const messages = session(png, [op({ case: "grayscale", value: {} })]);
      yield (await messages.next()).value as ProcessImageStreamRequest;
      yield (await messages.next()).value as ProcessImageStreamRequest;
      await rest; // the rest only after the server answered the first chunk
      yield* messages;
    }
    const replies = client.processImageStream(halting());
    const iterator = replies[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.value?.data).toMatchObject({
      case: "progress",
      value: { stage: Stage.RECEIVING, bytesReceived: 8192n },
    });
    releaseRest();
    let last = first;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) last = next;
    expect(last.value?.data.case).toBe("result");
  });

  it("a failure ends the stream with its status and stores nothing", async () => {
    const before = await service.stored();
    const zip = Buffer.concat([Buffer.from("PK\x03\x04", "latin1"), Buffer.alloc(20 * KiB, 1)]);
    const error = await callError(() =>
      collect(client.processImageStream(session(zip, [op({ case: "grayscale", value: {} })]))),
    );
    expect(error.code).toBe(Code.InvalidArgument);
    expect(error.rawMessage).toMatch(/not a PNG, JPEG, WebP or GIF/);
    expect(await service.stored()).toEqual(before);
  });
});

describe("GetImage and ListImages", () => {
  it("lists an owner's images newest first, a page at a time, and refuses forged tokens", async () => {
    const owner = crypto.randomUUID();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await upload(await makeImage("png", 8, 8), owner)).id);
    const first = await client.listImages({ ownerId: owner, pageSize: 2 });
    const second = await client.listImages({ ownerId: owner, pageSize: 2, pageToken: first.nextPageToken });
    const third = await client.listImages({ ownerId: owner, pageSize: 2, pageToken: second.nextPageToken });
    expect([...first.images, ...second.images, ...third.images].map((i) => i.id)).toEqual(ids.reverse());
    expect(third.nextPageToken).toBe("");
    expect((await client.listImages({ ownerId: crypto.randomUUID() })).images).toEqual([]);
    const forged = await callError(() => client.listImages({ ownerId: owner, pageToken: "not-ours" }));
    expect(fieldViolations(forged).map((v) => v.field)).toEqual(["page_token"]);
    expect((await callError(() => client.getImage({ imageId: crypto.randomUUID() }))).code).toBe(
      Code.NotFound,
    );
  });
});
