import { createHash } from "node:crypto";
import { createConnection } from "node:net";
import { create, type DescService, type MessageInitShape } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import {
  ImageService,
  UploadImageRequestSchema,
} from "@switchboard/proto/switchboard/image/v1/image_service_pb.js";
import { grpcJsDefinition } from "../servers/bare-grpc-js.js";
import { HEADER_BYTES } from "../servers/tcp-peers.js";
import { type Sample, sampleOf } from "./stats.js";

type Method = (...args: never[]) => grpc.ClientUnaryCall | grpc.ClientReadableStream<unknown>;

/** Stock grpc-js clients (one per connection: distinct channel options keep them apart). */
function clients(service: DescService, method: string, address: string, connections: number): grpc.Client[] {
  const Constructor = grpc.makeGenericClientConstructor(grpcJsDefinition(service, [method]), service.name);
  return Array.from(
    { length: connections },
    (_, index) =>
      new Constructor(address, grpc.credentials.createInsecure(), {
        "grpc.max_receive_message_length": 64 * 1024 * 1024,
        "bench.connection": index,
      }),
  );
}

/** One call to completion: a unary answer or a server stream's end. */
function callOnce(
  client: grpc.Client,
  method: string,
  request: unknown,
  serverStream: boolean,
  metadata: grpc.Metadata,
): Promise<void> {
  const invoke = (client as unknown as Record<string, Method>)[method] as unknown as (
    ...args: unknown[]
  ) => grpc.ClientReadableStream<unknown>;
  return new Promise((resolve, reject) => {
    if (!serverStream) {
      invoke.call(client, request, metadata, (error: Error | null) => (error ? reject(error) : resolve()));
      return;
    }
    const stream = invoke.call(client, request, metadata);
    stream.on("data", () => {});
    stream.on("error", reject);
    stream.on("end", resolve);
  });
}

/**
 * The fallback load tool, used when ghz is not installed: `concurrency` calls in flight over
 * `connections` connections for `seconds`. It runs in the bench's process, the servers in theirs.
 */
export async function runGrpcJsLoop(
  address: string,
  target: { service: DescService; method: string; request: unknown; serverStream: boolean },
  load: { seconds: number; concurrency: number; connections: number },
  token?: string,
): Promise<Sample> {
  const pool = clients(target.service, target.method, address, load.connections);
  const metadata = new grpc.Metadata();
  if (token) metadata.set("authorization", `Bearer ${token}`);
  const method = target.service.methods.find((m) => m.name === target.method);
  if (!method) throw new Error(`${target.service.typeName} has no method ${target.method}`);
  const request = create(method.input, target.request as never);
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const until = started + load.seconds * 1000;
  await Promise.all(
    Array.from({ length: load.concurrency }, async (_, worker) => {
      const client = pool[worker % pool.length] as grpc.Client;
      while (performance.now() < until) {
        const begin = performance.now();
        try {
          await callOnce(client, target.method, request, target.serverStream, metadata);
          latencies.push(performance.now() - begin);
        } catch (error) {
          if (errors++ === 0) console.error(`${target.method}: ${(error as Error).message}`);
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  for (const client of pool) client.close();
  return sampleOf(latencies, seconds, errors);
}

type UploadMessage = MessageInitShape<typeof UploadImageRequestSchema>;

/**
 * UploadImage, one call at a time, `rounds` times: metadata, then `bytes` in `chunk`-byte messages,
 * carrying `token` as the bearer token when given (the image is then the token's user's).
 */
export async function runGrpcJsUploads(
  address: string,
  bytes: Buffer,
  chunk: number,
  rounds: number,
  token?: string,
): Promise<Sample> {
  const [client] = clients(ImageService, "UploadImage", address, 1) as [grpc.Client];
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  const messages: UploadMessage[] = [
    {
      data: {
        case: "metadata",
        value: { filename: "bench.png", sizeBytes: BigInt(bytes.length), sha256 },
      },
    },
  ];
  for (let offset = 0; offset < bytes.length; offset += chunk) {
    messages.push({ data: { case: "chunk", value: bytes.subarray(offset, offset + chunk) } });
  }
  const requests = messages.map((message) => create(UploadImageRequestSchema, message));
  const metadata = new grpc.Metadata();
  if (token) metadata.set("authorization", `Bearer ${token}`);
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  for (let round = 0; round < rounds; round++) {
    const begin = performance.now();
    try {
      await new Promise<void>((resolve, reject) => {
        const upload = (
          client as unknown as Record<
            string,
            (metadata: grpc.Metadata, done: (e: Error | null) => void) => grpc.ClientWritableStream<unknown>
          >
        ).UploadImage as (
          metadata: grpc.Metadata,
          done: (e: Error | null) => void,
        ) => grpc.ClientWritableStream<unknown>;
        const call = upload.call(client, metadata, (error) => (error ? reject(error) : resolve()));
        void (async () => {
          for (const request of requests) {
            if (!call.write(request)) await new Promise((drained) => call.once("drain", drained));
          }
          call.end();
        })();
      });
      latencies.push(performance.now() - begin);
    } catch (error) {
      errors++;
      if (errors === 1) console.error("upload failed:", (error as Error).message);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  client.close();
  return sampleOf(latencies, seconds, errors);
}

/** The same upload over raw TCP to a tcp-peers server: header, then the bytes in `chunk`-byte writes. */
export async function runTcpUploads(
  port: number,
  bytes: Buffer,
  chunk: number,
  rounds: number,
): Promise<Sample> {
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeBigUInt64BE(BigInt(bytes.length), 0);
  header.write(sha256, 8, "latin1");
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  for (let round = 0; round < rounds; round++) {
    const begin = performance.now();
    const socket = createConnection({ port, host: "127.0.0.1", noDelay: true });
    const answer = new Promise<string>((resolve, reject) => {
      socket.once("data", (data) => resolve(data.toString()));
      socket.once("error", reject);
    });
    socket.write(header);
    for (let offset = 0; offset < bytes.length; offset += chunk) {
      if (!socket.write(bytes.subarray(offset, offset + chunk))) {
        await new Promise((resolve) => socket.once("drain", resolve));
      }
    }
    const reply = await answer;
    socket.destroy();
    if (reply === "K") latencies.push(performance.now() - begin);
    else errors++;
  }
  const seconds = (performance.now() - started) / 1000;
  return sampleOf(latencies, seconds, errors);
}
