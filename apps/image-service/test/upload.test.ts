import { createHash, randomBytes, randomUUID } from "node:crypto";
import { Code } from "@connectrpc/connect";
import type { ClientWritableStream, ServiceError } from "@grpc/grpc-js";
import { ImageService } from "@switchboard/proto/switchboard/image/v1/image_service_pb.js";
import { fieldViolations } from "@switchboard/runtime";
import { callError, collect, type connectClient, grpcJsBearer, grpcJsClient } from "@switchboard/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ImageServiceUnderTest,
  KiB,
  makeImage,
  OWNER,
  startImageService,
  uploadMessages,
} from "./harness.js";

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

let service: ImageServiceUnderTest;
let client: ReturnType<typeof connectClient<typeof ImageService>>;

beforeAll(async () => {
  service = await startImageService({
    limits: { maxUploadBytes: 256 * KiB, maxChunkBytes: 32 * KiB, maxPixels: 4_000_000 },
  });
  client = service.client();
});
afterAll(() => service?.close());

describe("UploadImage", () => {
  it("stores a PNG streamed in chunks, with its real type, dimensions and sha256", async () => {
    const png = await makeImage("png", 80, 60);
    const { image } = await client.uploadImage(
      uploadMessages(png, { filename: "cat.png", sha256: sha256(png) }, 4 * KiB),
    );
    expect(image).toMatchObject({
      ownerId: OWNER,
      filename: "cat.png",
      contentType: "image/png",
      sizeBytes: BigInt(png.length),
      width: 80,
      height: 60,
      sha256: sha256(png),
    });
    const { image: got } = await client.getImage({ imageId: image?.id ?? "" });
    expect(got?.sha256).toBe(sha256(png));
  });

  it.each([
    "jpeg",
    "webp",
    "gif",
  ] as const)("detects %s from the bytes, whatever the client declared", async (format) => {
    const bytes = await makeImage(format, 30, 20);
    const { image } = await client.uploadImage(
      uploadMessages(bytes, { contentType: "image/png", filename: "x.png" }),
    );
    expect(image?.contentType).toBe(`image/${format}`);
    expect([image?.width, image?.height]).toEqual([30, 20]);
  });

  it("stores the same bytes once however often they are uploaded (two images, one blob)", async () => {
    const png = await makeImage("png", 16, 16);
    const before = await service.stored();
    const first = await client.uploadImage(uploadMessages(png, { ownerId: randomUUID() }));
    const second = await client.uploadImage(uploadMessages(png, { ownerId: randomUUID() }));
    expect(first.image?.id).not.toBe(second.image?.id);
    expect(first.image?.sha256).toBe(second.image?.sha256);
    const after = await service.stored();
    expect(after.images - before.images).toBe(2);
    expect(after.blobs - before.blobs).toBe(1);
    expect(after.temporary).toBe(0);
  });

  it("accepts size_bytes 0 as 'size unknown' (a relayed stream)", async () => {
    const png = await makeImage("png", 10, 10);
    const { image } = await client.uploadImage(uploadMessages(png, { sizeBytes: 0n }));
    expect(image?.sizeBytes).toBe(BigInt(png.length));
  });
});

describe("UploadImage refuses bad uploads with a clear status and stores nothing", () => {
  const cases: [string, () => Promise<AsyncIterable<never>>, Code, RegExp][] = [
    [
      "a sha256 that does not match",
      async () => uploadMessages(await makeImage("png"), { sha256: "0".repeat(64) }) as never,
      Code.InvalidArgument,
      /metadata\.sha256: is 0{64}, but the bytes hash to [0-9a-f]{64}/,
    ],
    [
      "fewer bytes than size_bytes",
      async () => {
        const png = await makeImage("png");
        return uploadMessages(png.subarray(0, png.length - 10), { sizeBytes: BigInt(png.length) }) as never;
      },
      Code.InvalidArgument,
      /metadata\.size_bytes: is \d+, but \d+ bytes arrived/,
    ],
    [
      "more bytes than size_bytes",
      async () => uploadMessages(await makeImage("png"), { sizeBytes: 100n }) as never,
      Code.InvalidArgument,
      /metadata\.size_bytes: is 100, but more bytes arrived/,
    ],
    [
      "a 'PNG' that is really a zip",
      async () =>
        uploadMessages(Buffer.concat([Buffer.from("PK\x03\x04", "latin1"), Buffer.alloc(2000, 7)])) as never,
      Code.InvalidArgument,
      /not a PNG, JPEG, WebP or GIF image/,
    ],
    [
      "a PNG whose header is cut off",
      async () => uploadMessages((await makeImage("png")).subarray(0, 20)) as never,
      Code.InvalidArgument,
      /header is damaged/,
    ],
    [
      "a PNG whose pixel data is garbled (the header is fine)",
      async () => {
        const png = Buffer.from(await makeImage("png", 64, 64));
        png.fill(0x42, 200, png.length - 100);
        return uploadMessages(png) as never;
      },
      Code.InvalidArgument,
      /the image\/png image cannot be decoded/,
    ],
    [
      "a JPEG cut short",
      async () => {
        const jpeg = await makeImage("jpeg", 300, 300);
        return uploadMessages(jpeg.subarray(0, jpeg.length / 2), { sizeBytes: 0n }) as never;
      },
      Code.InvalidArgument,
      /the image\/jpeg image cannot be decoded: .*premature end/,
    ],
    [
      "an upload over the total limit",
      async () => uploadMessages(Buffer.alloc(300 * KiB, 1), { sizeBytes: 0n }, 16 * KiB) as never,
      Code.ResourceExhausted,
      /over the limit of 262144 bytes/,
    ],
    [
      "a declared size over the total limit (refused before any byte)",
      async () => uploadMessages(Buffer.alloc(10), { sizeBytes: 10n * 1024n * 1024n }) as never,
      Code.ResourceExhausted,
      /size_bytes 10485760 is over the upload limit/,
    ],
    [
      "a chunk over the chunk limit",
      async () => uploadMessages(await makeImage("png", 200, 200), {}, 40 * KiB) as never,
      Code.ResourceExhausted,
      /a chunk of \d+ bytes is over the limit of 32768 bytes/,
    ],
  ];

  it.each(cases)("%s", async (_name, messages, code, message) => {
    const before = await service.stored();
    const error = await callError(async () => client.uploadImage(await messages()));
    expect(error.code).toBe(code);
    expect(error.rawMessage).toMatch(message);
    expect(await service.stored()).toEqual({ ...before, temporary: 0 });
  });

  it("a pixel flood: a small file that decodes to more pixels than allowed", async () => {
    // 4000×1100 of one colour compresses to a few KiB but is 4.4 megapixels, over the 4 MP limit.
    const sharp = (await import("sharp")).default;
    const flood = await sharp({ create: { width: 4000, height: 1100, channels: 3, background: "#fff" } })
      .png()
      .toBuffer();
    expect(flood.length).toBeLessThan(32 * KiB);
    const before = await service.stored();
    const error = await callError(() => client.uploadImage(uploadMessages(flood)));
    expect(error.code).toBe(Code.InvalidArgument);
    expect(error.rawMessage).toMatch(/4000x1100 = 4400000 pixels, over the limit of 4000000/);
    expect(await service.stored()).toEqual(before);
  });

  it("a stream that starts with a chunk, or sends its metadata twice", async () => {
    const png = await makeImage("png");
    const before = await service.stored();
    async function* chunkFirst() {
      const [metadata, ...chunks] = await collect(uploadMessages(png));
      yield* chunks;
      yield metadata as never;
    }
    async function* metadataTwice() {
      const [metadata, ...chunks] = await collect(uploadMessages(png));
      yield metadata as never;
      yield chunks[0] as never;
      yield metadata as never;
    }
    for (const messages of [chunkFirst, metadataTwice]) {
      const error = await callError(() => client.uploadImage(messages()));
      expect(error.code).toBe(Code.InvalidArgument);
      expect(fieldViolations(error)[0]?.field).toBe("metadata");
    }
    expect(await service.stored()).toEqual(before);
  });

  it("an owner id that is no user id is refused by the contract's rules", async () => {
    const error = await callError(async () =>
      client.uploadImage(uploadMessages(await makeImage("png"), { ownerId: "not-a-user-id" })),
    );
    expect(error.code).toBe(Code.InvalidArgument);
    expect(fieldViolations(error).map((v) => v.field)).toContain("metadata.owner_id");
  });

  it("metadata without an owner stores the image as the caller's", async () => {
    const userId = randomUUID();
    const asUser = service.client(await service.tokens.user(userId));
    const { image } = await asUser.uploadImage(uploadMessages(await makeImage("png"), { ownerId: "" }));
    expect(image?.ownerId).toBe(userId);
  });

  it.each([
    ["with", undefined],
    ["without", 0n],
  ])("a client that cancels mid-upload leaves nothing behind (%s a declared size)", async (_, sizeBytes) => {
    const png = await makeImage("png", 200, 200);
    const before = await service.stored();
    const abort = new AbortController();
    let sent = 0;
    async function* cancelling() {
      for await (const message of uploadMessages(
        png,
        sizeBytes === undefined ? {} : { sizeBytes },
        8 * KiB,
      )) {
        if (sent++ === 4) {
          abort.abort();
          // keep the stream open: the cancel, not the end of the stream, must end the call
          await new Promise((resolve) => setTimeout(resolve, 1000));
        }
        yield message;
      }
    }
    const traceId = randomBytes(16).toString("hex");
    const error = await callError(() =>
      client.uploadImage(cancelling(), {
        signal: abort.signal,
        headers: { traceparent: `00-${traceId}-${"1".repeat(16)}-01` },
      }),
    );
    expect(error.code).toBe(Code.Canceled);
    // Node ends the request body on a reset a moment before the call's signal aborts, so the server
    // sees either the cancel or bytes that stop short (refused: undecodable, or fewer than
    // size_bytes). Either way nothing is stored. Wait until the server has finished the call.
    const logged = () =>
      service.lines.find((line) => String(line.rpc).endsWith("UploadImage") && line.traceId === traceId);
    for (let i = 0; i < 200 && !logged(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(["Canceled", "InvalidArgument"]).toContain(logged()?.code);
    expect(await service.stored()).toEqual(before);
  });

  it("a stock grpc-js client that cancels mid-upload (RST_STREAM) leaves nothing behind either", async () => {
    const png = await makeImage("png", 200, 200);
    const before = await service.stored();
    const stock = grpcJsClient(ImageService, service.address, {
      interceptors: [grpcJsBearer(service.adminToken)],
    });
    const upload = stock.UploadImage as unknown as (
      callback: (error: ServiceError | null) => void,
    ) => ClientWritableStream<unknown>;
    let status: number | undefined;
    const call = upload.call(stock, (error) => {
      status = error?.code;
    });
    let sent = 0;
    for await (const message of uploadMessages(png, { sizeBytes: 0n }, 8 * KiB)) {
      call.write(message);
      if (++sent === 5) break;
    }
    await new Promise((resolve) => setTimeout(resolve, 200)); // let the chunks reach the server
    const uploadsLogged = () =>
      service.lines.filter((line) => String(line.rpc).endsWith("UploadImage")).length;
    const linesBefore = uploadsLogged();
    call.cancel();
    const finished = () => uploadsLogged() > linesBefore;
    for (let i = 0; i < 200 && !finished(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
    stock.close();
    expect(status).toBe(Code.Canceled);
    expect(await service.stored()).toEqual(before);
  });
});
