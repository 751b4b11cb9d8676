/**
 * What the seed contract's relay costs: the same image uploaded in 64 KiB chunks through
 * user.UsuarioServicio/GetStreamImage (user-service relays each chunk into image-service's
 * UploadImage as it arrives) and straight to ImageService/UploadImage, measured in the same run.
 * The ratio (relay ÷ direct throughput) is what to compare across machines.
 *
 * Both services run in this process, wired as main.ts wires them, each on its own port over real
 * HTTP/2: the relayed bytes cross the loopback twice, the direct ones once. image-service keeps
 * its blobs on disk and its rows in an in-memory PGlite; nothing relays the outboxes, so no broker
 * is needed.
 */
import { createHash } from "node:crypto";
import { ImageService } from "@switchboard/proto/switchboard/image/v1/image_service_pb.js";
import { UsuarioServicio } from "@switchboard/proto/user/usuario_pb.js";
import { connectClient, medianSeconds, pngOf } from "@switchboard/testing";
import { authedClient, migratedDatabase, startUserService } from "../test/harness.js";
import { startImageService } from "../test/image-service.js";

const MiB = 1024 * 1024;
const CHUNK_BYTES = 64 * 1024;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

/** Median seconds of ROUNDS runs of `work`, after one warm-up run. */
async function median(work: () => Promise<void>): Promise<number> {
  await work();
  return medianSeconds(ROUNDS, work);
}

function* chunksOf(bytes: Uint8Array): Generator<Uint8Array> {
  for (let offset = 0; offset < bytes.length; offset += CHUNK_BYTES) {
    yield bytes.subarray(offset, offset + CHUNK_BYTES);
  }
}

// 2300×2300 random pixels: about 15 MiB of PNG that cannot shrink, under image-service's 20 MiB cap.
const png = pngOf(2300, 2300, true);
const sha256 = createHash("sha256").update(png).digest("hex");

const images = await startImageService({ maxUploadBytes: 20 * MiB });
const db = await migratedDatabase();
const imageClient = connectClient(ImageService, images.baseUrl, "grpc", { timeoutMs: 300_000 });
const users = await startUserService(db, {
  images: (token) =>
    authedClient(ImageService, images.baseUrl, null, { timeoutMs: 300_000, serviceToken: token }),
});
const seed = connectClient(UsuarioServicio, users.baseUrl, "grpc", { timeoutMs: 300_000 });

const relayed = await median(async () => {
  async function* messages() {
    for (const image of chunksOf(png)) yield { image };
  }
  const { message } = await seed.getStreamImage(messages());
  if (!message.includes(`${png.length} bytes`)) throw new Error(`unexpected reply: ${message}`);
});
const direct = await median(async () => {
  async function* messages() {
    yield {
      data: {
        case: "metadata" as const,
        value: { ownerId: "anonymous", filename: "bench.png", sizeBytes: BigInt(png.length), sha256 },
      },
    };
    for (const chunk of chunksOf(png)) yield { data: { case: "chunk" as const, value: chunk } };
  }
  const { image } = await imageClient.uploadImage(messages());
  if (image?.sizeBytes !== BigInt(png.length)) throw new Error("direct upload stored the wrong size");
});

const size = png.length / MiB;
console.log(
  `seed relay: a ${size.toFixed(1)} MiB PNG in 64 KiB chunks, median of ${ROUNDS} runs (after a warm-up)`,
);
console.log(`  GetStreamImage via user-service → image-service : ${(size / relayed).toFixed(0)} MiB/s`);
console.log(`  ImageService/UploadImage directly               : ${(size / direct).toFixed(0)} MiB/s`);
console.log(`  ratio relay ÷ direct: ${(direct / relayed).toFixed(2)} (1.00: the relay costs nothing)`);

await users.close();
await images.close();
await db.close();
