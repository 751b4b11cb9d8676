import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create } from "@bufbuild/protobuf";
import { BlobStore, receiveImage } from "@switchboard/image-service";
import { UploadMetadataSchema } from "@switchboard/proto/switchboard/image/v1/image_service_pb.js";
import { MiB } from "../workload.js";

/**
 * The raw-TCP peers the bulk rows are divided by. The client sends a header — the byte count
 * (8 bytes) and the sha256 in hex (64 bytes) — then the bytes in the same chunks as the gRPC
 * upload; the peer answers one byte when done.
 */
export const HEADER_BYTES = 72;

/** Yields the socket's bytes after the header, up to the announced count. */
async function* body(
  socket: Socket,
  onHeader: (size: number, sha256: string) => void,
): AsyncGenerator<Buffer> {
  let header = Buffer.alloc(0);
  let remaining = -1;
  // destroyOnReturn: false keeps the socket open for the answer after the last byte.
  for await (const data of socket.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
    let bytes = data;
    if (remaining < 0) {
      header = Buffer.concat([header, bytes]);
      if (header.length < HEADER_BYTES) continue;
      remaining = Number(header.readBigUInt64BE(0));
      onHeader(remaining, header.subarray(8, HEADER_BYTES).toString("latin1"));
      bytes = header.subarray(HEADER_BYTES);
    }
    if (bytes.length > 0) {
      remaining -= bytes.length;
      yield bytes;
    }
    if (remaining === 0) return;
  }
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as { port: number }).port;
}

/** Counts the bytes and answers: the ceiling for moving bytes over loopback. */
export async function startTcpSink(): Promise<{ port: number; close(): Promise<void> }> {
  const server = createServer({ noDelay: true }, async (socket) => {
    let received = 0;
    for await (const chunk of body(socket, () => {})) received += chunk.length;
    socket.end(received > 0 ? "K" : "E");
  });
  const port = await listen(server);
  return { port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/**
 * Does what image-service's upload does to the bytes — the same receiveImage (sha256 while
 * writing a temporary file, size, type from magic bytes, dimensions, every pixel decoded) and
 * the same blob commit — without gRPC or the database row.
 */
export async function startTcpPipeline(): Promise<{ port: number; close(): Promise<void> }> {
  const dataDir = await mkdtemp(join(tmpdir(), "rpc-bench-tcp-images-"));
  const blobs = await new BlobStore(dataDir).open();
  const limits = { maxChunkBytes: 1 * MiB, maxUploadBytes: 64 * MiB, maxPixels: 50_000_000 };
  const server = createServer({ noDelay: true }, async (socket) => {
    const metadata = create(UploadMetadataSchema, {});
    const chunks = body(socket, (size, sha256) => {
      metadata.sizeBytes = BigInt(size);
      metadata.sha256 = sha256;
    });
    // receiveImage reads the metadata before the first chunk: pull the header first.
    const first = await chunks.next();
    async function* all() {
      if (!first.done) yield first.value;
      yield* chunks;
    }
    try {
      const received = await receiveImage(blobs, { metadata, chunks: all() }, limits);
      await blobs.commit(received.blob);
      await blobs.discard(received.blob.tempPath);
      socket.end("K");
    } catch (error) {
      socket.end("E");
      console.error("tcp pipeline:", (error as Error).message);
    }
  });
  const port = await listen(server);
  return {
    port,
    async close() {
      await new Promise((resolve) => server.close(resolve));
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
