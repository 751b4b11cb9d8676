/**
 * Upload and download throughput through ImageService at 16, 64, 256 and 1024 KiB chunks, next
 * to a raw TCP loopback copy of the same bytes in the same chunks, measured in the same run. The
 * ratio (gRPC ÷ TCP) is what to compare across machines; the MiB/s figures depend on the box.
 *
 * The service runs in process, exactly as buildApp wires it (sha256, type check, blob store on
 * disk, PGlite in memory); its outbox is not relayed, so no broker is needed. The TCP peer only
 * counts what it receives (upload) or writes from memory (download): it is the ceiling.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createConnection, createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "@switchboard/database";
import { IMAGE_JOBS_QUEUE, outboxMigrations } from "@switchboard/messaging";
import { ImageService } from "@switchboard/proto/switchboard/image/v1/image_service_pb.js";
import { connectClient, medianSeconds, memoryLogger, serveOnPort0, testTokens } from "@switchboard/testing";
import sharp from "sharp";
import { buildApp } from "../src/app.js";
import { BlobStore } from "../src/storage/blob-store.js";
import { imageMigrations } from "../src/store/migrations.js";
import { KiB, MiB, uploadMessages } from "../test/harness.js";

const CHUNKS_KIB = [16, 64, 256, 1024];
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

const median = (work: () => Promise<void>) => medianSeconds(ROUNDS, work);

/** A TCP server that counts what it receives and, when asked, sends `bytes` back in `chunk`-byte writes. */
async function tcpPeer(bytes: Buffer) {
  const server = createServer((socket: Socket) => {
    socket.once("data", async (first) => {
      const command = first.subarray(0, 1).toString();
      if (command === "D") {
        const chunk = first.readUInt32BE(1);
        for (let offset = 0; offset < bytes.length; offset += chunk) {
          if (!socket.write(bytes.subarray(offset, offset + chunk))) {
            await new Promise((resolve) => socket.once("drain", resolve));
          }
        }
        socket.end();
        return;
      }
      let received = first.length - 1;
      socket.on("data", (data: Buffer) => {
        received += data.length;
        if (received === bytes.length) socket.end("K");
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  const connect = () => createConnection({ port, host: "127.0.0.1", noDelay: true });
  return {
    async upload(chunk: number) {
      const socket = connect();
      socket.write("U");
      for (let offset = 0; offset < bytes.length; offset += chunk) {
        if (!socket.write(bytes.subarray(offset, offset + chunk))) {
          await new Promise((resolve) => socket.once("drain", resolve));
        }
      }
      await new Promise((resolve) => socket.once("data", resolve));
      socket.destroy();
    },
    async download(chunk: number) {
      const socket = connect();
      const header = Buffer.alloc(5);
      header.write("D");
      header.writeUInt32BE(chunk, 1);
      socket.write(header);
      let received = 0;
      for await (const data of socket) received += (data as Buffer).length;
      if (received !== bytes.length) throw new Error(`TCP download got ${received} of ${bytes.length} bytes`);
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

// 3400×3300 random pixels stored uncompressed in a PNG: about 32 MiB that cannot shrink.
const png = await sharp(randomBytes(3400 * 3300 * 3), { raw: { width: 3400, height: 3300, channels: 3 } })
  .png({ compressionLevel: 0 })
  .toBuffer();
const sha256 = createHash("sha256").update(png).digest("hex");

const dataDir = await mkdtemp(join(tmpdir(), "image-bench-"));
const db = await openDatabase({});
await db.migrate("image-service", imageMigrations);
await db.migrate("outbox", outboxMigrations);
const tokens = testTokens();
const app = buildApp({
  logger: memoryLogger("warn").logger,
  verifier: tokens.verifier,
  db,
  blobs: await new BlobStore(dataDir).open(),
  outbox: { wake() {} },
  jobsQueue: IMAGE_JOBS_QUEUE, // no relay: the jobs stay in the outbox
  limits: { maxChunkBytes: 1 * MiB, maxUploadBytes: 64 * MiB, maxPixels: 50_000_000 },
});
const served = await serveOnPort0(app.server);
const client = connectClient(ImageService, served.baseUrl, "grpc", {
  timeoutMs: 300_000,
  readMaxBytes: 2 * MiB,
  token: await tokens.admin(),
});
const tcp = await tcpPeer(png);

const size = png.length / MiB;
const rate = (seconds: number) => size / seconds;
console.log(
  `image transfer: ${size.toFixed(1)} MiB, median of ${ROUNDS} runs, gRPC (Connect client → ImageService) vs raw TCP loopback`,
);
console.log("chunk KiB | upload MiB/s gRPC | TCP    | ratio | download MiB/s gRPC | TCP    | ratio");
let imageId = "";
for (const kib of CHUNKS_KIB) {
  const chunk = kib * KiB;
  const grpcUp = await median(async () => {
    const { image } = await client.uploadImage(uploadMessages(png, { sha256 }, chunk));
    imageId = image?.id ?? "";
  });
  const tcpUp = await median(() => tcp.upload(chunk));
  const grpcDown = await median(async () => {
    let received = 0;
    for await (const message of client.downloadImage({ imageId, chunkSize: Math.min(chunk, 1 * MiB) })) {
      if (message.data.case === "chunk") received += message.data.value.length;
    }
    if (received !== png.length) throw new Error(`download got ${received} of ${png.length} bytes`);
  });
  const tcpDown = await median(() => tcp.download(chunk));
  console.log(
    [
      String(kib).padStart(9),
      rate(grpcUp).toFixed(0).padStart(19),
      rate(tcpUp).toFixed(0).padStart(6),
      (tcpUp / grpcUp).toFixed(2).padStart(5),
      rate(grpcDown).toFixed(0).padStart(21),
      rate(tcpDown).toFixed(0).padStart(6),
      (tcpDown / grpcDown).toFixed(2).padStart(5),
    ].join(" | "),
  );
}
console.log("ratio = gRPC throughput ÷ TCP throughput (1.00 would be as fast as a raw socket)");

await tcp.close();
await served.server.shutdown();
await db.close();
await rm(dataDir, { recursive: true, force: true });
