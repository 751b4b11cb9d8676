// ImageService from a stock grpc-js client: an image uploaded in chunks (client stream), downloaded
// in chunks (server stream), processed (unary) and uploaded-and-processed in one session (bidi) —
// by a user signed up and logged in for it: the images are its own (no owner id = the caller).
//   node examples/images.js
import { createHash } from "node:crypto";
import { call, callBidi, callClientStream, callServerStream, chunks } from "../src/index.js";
import { newUserClients } from "./accounts.js";
import { png } from "./png.js";
import { runIfMain, using } from "./run-if-main.js";

/**
 * UploadImage: the metadata (size and sha256, which the server verifies), then 64 KiB chunks. The
 * owner is the caller unless `ownerId` names another (only an admin or a service may).
 */
export function upload(clients, bytes, ownerId = "", filename = "upload.png") {
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  const requests = [
    { metadata: { filename, sizeBytes: String(bytes.length), sha256, ownerId } },
    ...[...chunks(bytes)].map((chunk) => ({ chunk })),
  ];
  return callClientStream(clients.images, "UploadImage", requests).then((response) => response.image);
}

/** DownloadImage: the metadata message, then the chunks, joined. */
export async function download(clients, imageId, chunkSize = 0) {
  let metadata;
  const parts = [];
  for await (const message of await callServerStream(clients.images, "DownloadImage", {
    imageId,
    chunkSize,
  })) {
    if (message.data === "metadata") metadata = message.metadata;
    else parts.push(message.chunk);
  }
  return { metadata, bytes: Buffer.concat(parts) };
}

/** `clients` logged in as a user (connectAs). */
export async function run(clients) {
  const lines = [];
  const ownerId = clients.session.subject;
  const bytes = png(320, 240, { noise: true });

  const image = await upload(clients, bytes, "", "noise.png");
  lines.push(
    `UploadImage: ${image.id} ${image.contentType} ${image.width}x${image.height} ${image.sizeBytes} bytes`,
  );

  const { metadata, bytes: downloaded } = await download(clients, image.id);
  lines.push(
    `DownloadImage: ${downloaded.length} bytes, identical=${downloaded.equals(bytes)}, sha256=${metadata.sha256.slice(0, 12)}…`,
  );

  const { variant } = await call(
    clients.images,
    "ProcessImage",
    { imageId: image.id, operations: [{ resize: { width: 160 } }, { grayscale: {} }] },
    { timeoutMs: 30_000 },
  );
  lines.push(`ProcessImage: variant ${variant.id} ${variant.width}x${variant.height} ${variant.contentType}`);

  const sha256 = createHash("sha256").update(bytes).digest("hex");
  const session = await callBidi(clients.images, "ProcessImageStream", [
    {
      start: {
        metadata: { filename: "noise.png", sizeBytes: String(bytes.length), sha256 },
        operations: [{ thumbnail: { size: 64 } }],
      },
    },
    ...[...chunks(bytes)].map((chunk) => ({ chunk })),
  ]);
  for await (const message of session) {
    if (message.data === "progress") {
      const { stage, bytesReceived, bytesTotal } = message.progress;
      lines.push(`ProcessImageStream: ${stage} ${bytesReceived}/${bytesTotal}`);
    } else {
      lines.push(
        `ProcessImageStream: result ${message.result.variant.width}x${message.result.variant.height}`,
      );
    }
  }

  const got = await call(clients.images, "GetImage", { imageId: image.id });
  lines.push(`GetImage: ${got.image.id} with ${got.image.variants.length} variant(s)`);
  const page = await call(clients.images, "ListImages", { pageSize: 10 });
  lines.push(`ListImages: ${page.images.length} image(s) of ${ownerId}`);
  return lines;
}

await runIfMain(import.meta.url, async () => using([await newUserClients("Pictures")], run));
