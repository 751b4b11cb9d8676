// user.UsuarioServicio (the seed contract) served by a real GrpcServer, backed by the real
// user-service handlers (PGlite) through their gRPC contract, and by the real image-service
// (its own PGlite and blob folder) over gRPC on a port of its own, as main.ts wires them.
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import type { Database } from "@switchboard/database";
import { ImageService } from "@switchboard/proto/switchboard/image/v1/image_service_pb.js";
import { UserService } from "@switchboard/proto/switchboard/user/v1/user_service_pb.js";
import {
  type GetAllReply,
  GetImageSchema,
  GetUserRequestSchema,
  UsuarioServicio,
} from "@switchboard/proto/user/usuario_pb.js";
import { TokenVerifier } from "@switchboard/runtime";
import { callError, collect, connectClient, grpcJsClient, pngOf, unary, until } from "@switchboard/testing";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { namePower } from "../src/handlers/usuario-servicio.js";
import { authedClient, migratedDatabase, startUserService } from "./harness.js";
import { startImageService } from "./image-service.js";

/** The in-test image service's total cap, small so the test can exceed it. */
const IMAGE_CAP_BYTES = 6 * 1024 * 1024;
let db: Database;
let seed: Awaited<ReturnType<typeof startUserService>>;
let client: ReturnType<typeof connectClient<typeof UsuarioServicio>>;
let users: ReturnType<typeof connectClient<typeof UserService>>;
let images: ReturnType<typeof connectClient<typeof ImageService>>;
let imageService: Awaited<ReturnType<typeof startImageService>>;
/** The token source user-service gave its image-service client. */
let seedServiceToken: () => Promise<string>;

beforeAll(async () => {
  db = await migratedDatabase();
  imageService = await startImageService({ maxUploadBytes: IMAGE_CAP_BYTES });
  images = connectClient(ImageService, imageService.baseUrl, "grpc");
  // user-service as main.ts builds it: given image-service, it serves the seed contract too.
  seed = await startUserService(db, {
    images: (token) => {
      seedServiceToken = token;
      return authedClient(ImageService, imageService.baseUrl, null, { serviceToken: token });
    },
  });
  users = seed.client(UserService);
  client = connectClient(UsuarioServicio, seed.baseUrl, "grpc", { readMaxBytes: 8 * 1024 * 1024 });
});
afterAll(async () => {
  await seed?.close();
  await imageService?.close();
  await db?.close();
});

async function newUser(name: string) {
  const { user } = await users.createUser({
    requestId: randomUUID(),
    name,
    email: `${randomUUID()}@example.com`,
  });
  return user!;
}

async function setAvatar(userId: string, imageId: string) {
  await users.updateUser({
    user: { id: userId, avatarImageId: imageId },
    updateMask: { paths: ["avatar_image_id"] },
  });
}

async function* messages<T>(...items: T[]) {
  yield* items;
}

const chunksOf = (bytes: Uint8Array, size: number) =>
  Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => ({
    image: bytes.subarray(i * size, (i + 1) * size),
  }));

const SUMMARY = /^image ([\da-f-]{36}): (\d+) bytes, (\S+), (\d+)x(\d+)$/;

function summaryOf(message: string) {
  const match = SUMMARY.exec(message);
  if (!match) throw new Error(`not an image summary: ${message}`);
  return {
    id: match[1]!,
    size: Number(match[2]),
    type: match[3],
    width: Number(match[4]),
    height: Number(match[5]),
  };
}

async function downloaded(imageId: string): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const { data } of images.downloadImage({ imageId })) {
    if (data.case === "chunk") parts.push(data.value);
  }
  return Buffer.concat(parts);
}

async function uploadDirectly(bytes: Uint8Array): Promise<string> {
  async function* upload() {
    yield {
      data: { case: "metadata" as const, value: { ownerId: "anonymous", sizeBytes: BigInt(bytes.length) } },
    };
    for (const { image } of chunksOf(bytes, 64 * 1024))
      yield { data: { case: "chunk" as const, value: image } };
  }
  return (await images.uploadImage(upload())).image!.id;
}

describe("GetUser", () => {
  it("answers the user whose name matches exactly (case-sensitive): id, name, email and avatar", async () => {
    const tag = randomUUID().slice(0, 8);
    await newUser(`${tag} ana`);
    await newUser(`${tag} Anabel`);
    const ana = await newUser(`${tag} Ana`);
    expect((await client.getUser({ name: `${tag} Ana` })).message).toBe(
      `id=${ana.id} name=${tag} Ana email=${ana.email}`,
    );
    const avatarId = summaryOf(
      (await client.processImage({ name: ana.name, image: pngOf(4, 4) })).message,
    ).id;
    await setAvatar(ana.id, avatarId);
    expect((await client.getUser({ name: `${tag} Ana` })).message).toBe(
      `id=${ana.id} name=${tag} Ana email=${ana.email} avatar=${avatarId}`,
    );
  });

  it("picks the oldest of several users who share the name", async () => {
    const name = `Twin ${randomUUID().slice(0, 8)}`;
    const oldest = await newUser(name);
    for (let i = 0; i < 4; i++) await newUser(name);
    expect((await client.getUser({ name })).message).toContain(`id=${oldest.id} `);
  });

  it("answers NOT_FOUND for an unknown, empty or impossibly long name", async () => {
    for (const name of [`nobody ${randomUUID()}`, "", "x".repeat(101)]) {
      expect((await callError(client.getUser({ name }))).code).toBe(Code.NotFound);
    }
  });
});

describe("ProcessImage", () => {
  it("stores the image owned by the named user and names its id, size, type and dimensions", async () => {
    const owner = await newUser(`Owner ${randomUUID().slice(0, 8)}`);
    const png = pngOf(40, 30);
    const { message } = await client.processImage({ name: owner.name, image: png });
    const summary = summaryOf(message);
    expect(summary).toMatchObject({ size: png.length, type: "image/png", width: 40, height: 30 });
    const { image } = await images.getImage({ imageId: summary.id });
    expect(image?.ownerId).toBe(owner.id);
    expect(image?.sha256).toBe(createHash("sha256").update(png).digest("hex"));
    expect(await downloaded(summary.id)).toEqual(Buffer.from(png));
  });

  it('stores the image of a sender who names no known user as "anonymous", in 64 KiB chunks', async () => {
    const png = pngOf(200, 200, true);
    expect(png.length).toBeGreaterThan(64 * 1024);
    const summary = summaryOf((await client.processImage({ name: "", image: png })).message);
    expect((await images.getImage({ imageId: summary.id })).image?.ownerId).toBe("anonymous");
    const unknown = summaryOf(
      (await client.processImage({ name: `nobody ${randomUUID()}`, image: png })).message,
    );
    expect((await images.getImage({ imageId: unknown.id })).image?.ownerId).toBe("anonymous");
    expect(await downloaded(summary.id)).toEqual(Buffer.from(png));
  });

  it("answers INVALID_ARGUMENT for empty bytes and (from image-service) for bytes that are not an image", async () => {
    const notImage = await callError(
      client.processImage({ name: "", image: Buffer.from("PK\x03\x04 a zip") }),
    );
    expect(notImage).toMatchObject({
      code: Code.InvalidArgument,
      rawMessage: expect.stringMatching(/not a PNG, JPEG, WebP or GIF image/),
    });
    expect((await callError(client.processImage({ name: "", image: new Uint8Array() }))).code).toBe(
      Code.InvalidArgument,
    );
  });

  it("answers RESOURCE_EXHAUSTED for more than 1 MiB of image in one message", async () => {
    const error = await callError(client.processImage({ name: "", image: new Uint8Array(1024 * 1024 + 1) }));
    expect(error.code).toBe(Code.ResourceExhausted);
  });
});

describe("GetStreamImage (client streaming)", () => {
  it("relays the chunks into one upload (size not known in advance) and replies like ProcessImage", async () => {
    const png = pngOf(200, 200, true);
    const { message } = await client.getStreamImage(messages(...chunksOf(png, 10_000)));
    const summary = summaryOf(message);
    expect(summary).toMatchObject({ size: png.length, type: "image/png", width: 200, height: 200 });
    expect((await images.getImage({ imageId: summary.id })).image?.ownerId).toBe("anonymous");
    expect(await downloaded(summary.id)).toEqual(Buffer.from(png));
  });

  it("passes on RESOURCE_EXHAUSTED over the image cap, INVALID_ARGUMENT for no image, and refuses 1 MiB+ chunks", async () => {
    const tooBig = randomBytes(IMAGE_CAP_BYTES + 1);
    const overCap = await callError(client.getStreamImage(messages(...chunksOf(tooBig, 256 * 1024))));
    expect(overCap.code).toBe(Code.ResourceExhausted);
    const notImage = await callError(
      client.getStreamImage(messages(...chunksOf(randomBytes(100_000), 65_536))),
    );
    expect(notImage.code).toBe(Code.InvalidArgument);
    expect((await callError(client.getStreamImage(messages()))).code).toBe(Code.InvalidArgument);
    const bigChunk = await callError(
      client.getStreamImage(messages({ image: new Uint8Array(1024 * 1024 + 1) })),
    );
    expect(bigChunk.code).toBe(Code.ResourceExhausted);
  });
});

describe("streamed uploads and cancellation", () => {
  it("cancels the relayed upload when the seed client cancels GetStreamImage mid-stream: nothing is stored", async () => {
    // The uploads refused just before may still be removing their temporary files: start from none.
    await until(async () => (await imageService.stored()).temporary === 0);
    const before = await imageService.stored();
    const abort = new AbortController();
    const png = pngOf(300, 300, true);
    async function* halfThenCancel() {
      yield* chunksOf(png.subarray(0, png.length / 2), 64 * 1024);
      // image-service has opened its temporary file: the upload is under way there.
      await until(async () => (await imageService.stored()).temporary > before.temporary);
      abort.abort();
    }
    const error = await callError(client.getStreamImage(halfThenCancel(), { signal: abort.signal }));
    expect(error.code).toBe(Code.Canceled);
    await until(async () => (await imageService.stored()).temporary === before.temporary);
    expect(await imageService.stored()).toEqual(before);
  });
});

describe("ImageStreamReply (bidi)", () => {
  it("answers each chunk with the bytes received so far, then with the stored image's summary", async () => {
    const png = pngOf(64, 48);
    const chunks = chunksOf(png, Math.ceil(png.length / 3));
    const replies = (await collect(client.imageStreamReply(messages(...chunks)))).map((r) => r.message);
    expect(replies.slice(0, 3)).toEqual([
      `received ${chunks[0]!.image.length} bytes`,
      `received ${chunks[0]!.image.length + chunks[1]!.image.length} bytes`,
      `received ${png.length} bytes`,
    ]);
    expect(summaryOf(replies[3]!)).toMatchObject({ size: png.length, width: 64, height: 48 });
    expect(replies).toHaveLength(4);
  });

  it("ends with image-service's INVALID_ARGUMENT, after the progress replies, when the bytes are not an image", async () => {
    const received: string[] = [];
    const error = await callError(async () => {
      for await (const { message } of client.imageStreamReply(
        messages({ image: Buffer.from("not an image") }),
      )) {
        received.push(message);
      }
    });
    expect(error.code).toBe(Code.InvalidArgument);
    expect(received).toEqual(["received 12 bytes"]);
  });
});

describe("GetUserBidiStream (bidi)", () => {
  it("answers each request with the name, (sum of its UTF-8 bytes)^pow mod 1e9+7 and the avatar", async () => {
    const name = `Zoë ${randomUUID().slice(0, 8)}`;
    const user = await newUser(name);
    const avatar = pngOf(16, 16);
    await setAvatar(user.id, summaryOf((await client.processImage({ name, image: avatar })).message).id);
    const plain = await newUser(`Plain ${randomUUID().slice(0, 8)}`);
    const replies = await collect(
      client.getUserBidiStream(messages({ name, pow: 0 }, { name, pow: 5 }, { name: plain.name, pow: 64 })),
    );
    const sum = (text: string) => BigInt(Buffer.from(text).reduce((total, byte) => total + byte, 0));
    expect(replies.map((r) => [r.name, r.pow])).toEqual([
      [name, 1],
      [name, Number(sum(name) ** 5n % 1_000_000_007n)],
      [plain.name, Number(sum(plain.name) ** 64n % 1_000_000_007n)],
    ]);
    expect(Buffer.from(replies[1]!.image)).toEqual(Buffer.from(avatar));
    expect(replies[2]!.image).toHaveLength(0);
  });

  it('matches the contract\'s example: name "ana", pow 2 gives (97+110+97)^2 = 92416', () => {
    expect(namePower("ana", 2)).toBe(92_416);
  });

  it("ends the stream with NOT_FOUND at an unknown name, after answering the requests before it", async () => {
    const known = await newUser(`Known ${randomUUID().slice(0, 8)}`);
    const received: GetAllReply[] = [];
    const error = await callError(async () => {
      for await (const reply of client.getUserBidiStream(
        messages(
          { name: known.name, pow: 1 },
          { name: "nobody at all", pow: 1 },
          { name: known.name, pow: 2 },
        ),
      )) {
        received.push(reply);
      }
    });
    expect(error.code).toBe(Code.NotFound);
    expect(received.map((r) => r.name)).toEqual([known.name]);
  });

  it("ends the stream with INVALID_ARGUMENT for a pow outside 0..64", async () => {
    const known = await newUser(`Pow ${randomUUID().slice(0, 8)}`);
    for (const pow of [-1, 65]) {
      const error = await callError(collect(client.getUserBidiStream(messages({ name: known.name, pow }))));
      expect(error.code).toBe(Code.InvalidArgument);
    }
  });

  it("sends no avatar bytes when the avatar is gone from image-service or too large for one reply", async () => {
    const gone = await newUser(`Gone ${randomUUID().slice(0, 8)}`);
    await setAvatar(gone.id, randomUUID());
    const large = await newUser(`Large ${randomUUID().slice(0, 8)}`);
    await setAvatar(large.id, await uploadDirectly(pngOf(1200, 1200, true)));
    const replies = await collect(
      client.getUserBidiStream(messages({ name: gone.name, pow: 1 }, { name: large.name, pow: 1 })),
    );
    expect(replies.map((r) => [r.name, r.image.length])).toEqual([
      [gone.name, 0],
      [large.name, 0],
    ]);
  });
});

describe("namePower", () => {
  it("always fits GetAllReply's int32: results stay below the modulus 1e9+7 < 2^31 - 1", () => {
    const longName = "ÿ".repeat(100); // 200 UTF-8 bytes of 0xC3 0xBF: the base is 100 * (195 + 191)
    for (let pow = 0; pow <= 64; pow++) {
      const value = namePower(longName, pow);
      expect(value).toBe(Number(38_600n ** BigInt(pow) % 1_000_000_007n));
      expect(value).toBeLessThanOrEqual(2 ** 31 - 1);
    }
  });
});

describe("the seed contract from a stock @grpc/grpc-js client", () => {
  it("calls GetUser and ProcessImage (unary), GetStreamImage (client stream) and both bidi streams", async () => {
    const stock = grpcJsClient(UsuarioServicio, seed.address);
    try {
      const user = await newUser(`Stock ${randomUUID().slice(0, 8)}`);
      const got = await unary<{ message: string }>(
        stock,
        "GetUser",
        create(GetUserRequestSchema, { name: user.name }),
      );
      expect(got.message).toContain(`id=${user.id}`);
      const png = pngOf(8, 8);
      const processed = await unary<{ message: string }>(
        stock,
        "ProcessImage",
        create(GetUserRequestSchema, { name: user.name, image: png }),
      );
      expect(summaryOf(processed.message)).toMatchObject({ width: 8, height: 8 });

      const streamed = await new Promise<{ message: string }>((resolve, reject) => {
        const call = (stock.GetStreamImage as unknown as StockClientStream)((error, reply) =>
          error ? reject(error) : resolve(reply!),
        );
        for (const chunk of chunksOf(png, 50)) call.write(create(GetImageSchema, chunk));
        call.end();
      });
      expect(summaryOf(streamed.message).size).toBe(png.length);

      const images = (stock.ImageStreamReply as unknown as StockBidi)();
      for (const chunk of chunksOf(png, 100)) images.write(create(GetImageSchema, chunk));
      images.end();
      const imageReplies = (await collect<{ message: string }>(images)).map((r) => r.message);
      expect(imageReplies.at(-1)).toMatch(SUMMARY);

      const bidi = (stock.GetUserBidiStream as unknown as StockBidi)();
      bidi.write(create(GetUserRequestSchema, { name: user.name, pow: 2 }));
      bidi.end();
      const [reply] = await collect<GetAllReply>(bidi);
      expect(reply).toMatchObject({ name: user.name, pow: namePower(user.name, 2) });
    } finally {
      stock.close();
    }
  });
});

type StockClientStream = (callback: (error: Error | null, reply?: { message: string }) => void) => {
  write(message: unknown): void;
  end(): void;
};
type StockBidi = () => AsyncIterable<never> & { write(message: unknown): void; end(): void };

describe("the seed contract and tokens (SEED_CONTRACT)", () => {
  it("is open: a seed client with no token at all is served, as it always was", async () => {
    const reply = await connectClient(UsuarioServicio, seed.baseUrl, "grpc")
      .getUser({ name: "nobody-by-this-name" })
      .catch((error: unknown) => error);
    expect((reply as { code?: Code }).code).toBe(Code.NotFound); // answered, not UNAUTHENTICATED
  });

  it("calls image-service with user-service's own service token, minted in process and reused", async () => {
    const token = await seedServiceToken();
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({ sub: "service:user-service", roles: ["service"], iss: "switchboard" });
    expect(await seedServiceToken()).toBe(token);
    // It verifies against user-service's own keys, as every service will check it.
    const verified = await new TokenVerifier({ keys: seed.app.keys }).verify(token);
    expect(verified).toEqual({ kind: "service", service: "user-service" });
  });

  it("is not served at all with SEED_CONTRACT=off", async () => {
    const offDb = await migratedDatabase();
    const off = await startUserService(offDb, {
      seedContract: "off",
      images: () => connectClient(ImageService, imageService.baseUrl, "grpc"),
    });
    try {
      const error = await callError(
        connectClient(UsuarioServicio, off.baseUrl, "grpc").getUser({ name: "x" }),
      );
      expect(error.code).toBe(Code.Unimplemented);
    } finally {
      await off.close();
      await offDb.close();
    }
  });
});
