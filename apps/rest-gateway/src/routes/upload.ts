import type { Readable } from "node:stream";
import {
  type DescMethodStreaming,
  fromJson,
  type JsonObject,
  type MessageInitShape,
  toJson,
} from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { BadRequestError, violationFromJsonError } from "@switchboard/http-transcoding";
import {
  type UploadImageRequestSchema,
  type UploadImageResponse,
  UploadImageResponseSchema,
  type UploadMetadata,
  UploadMetadataSchema,
} from "@switchboard/proto/switchboard/image/v1/image_service_pb.js";
import { messageGarbage } from "@switchboard/runtime";
import { rechunk } from "./rechunk.js";
import type { RouteCall } from "./rest.js";

const CHUNK = 64 * 1024;

/** Multipart shape limits: one file, a few short metadata fields (the file's size is the route's). */
export const MULTIPART_LIMITS = { files: 1, fields: 16, fieldSize: 4096 };

/**
 * POST /v1/images: `multipart/form-data` (metadata fields first, then the file in part `file`) or
 * a raw `image/*` body with the metadata in the query. The bytes go into one UploadImage client
 * stream in 64 KiB chunks as they arrive; nothing holds the whole file.
 */
export function uploadImage() {
  return async (call: RouteCall) => {
    const contentType = call.request.headers["content-type"] ?? "";
    const { metadata, bytes, truncated } = contentType.startsWith("multipart/form-data")
      ? await fromMultipart(call)
      : contentType.startsWith("image/")
        ? fromRawBody(call, contentType)
        : unsupported(contentType);
    const limit = call.limits.bodyBytes;
    let received = 0;
    const overLimit = () => received > limit || truncated();
    async function* requests(): AsyncGenerator<MessageInitShape<typeof UploadImageRequestSchema>> {
      yield { data: { case: "metadata", value: metadata } };
      for await (const chunk of rechunk(bytes, CHUNK)) {
        received += chunk.length;
        if (received > limit) throw tooLarge(limit); // a raw body sent without Content-Length
        messageGarbage.passed(chunk.length); // the socket's buffers and the encoded messages die here
        yield { data: { case: "chunk", value: chunk } };
      }
      // busboy ends a file cut at the limit like a whole one: never send it on as if it were.
      if (truncated()) throw tooLarge(limit);
    }
    let result: UploadImageResponse | undefined;
    try {
      const response = await call.backend.transport.stream(
        call.route.method as DescMethodStreaming,
        call.signal,
        call.limits.timeoutMs,
        call.headers,
        requests(),
      );
      for await (const message of response.message) result = message as UploadImageResponse;
    } catch (error) {
      // The backend call ends with its own error; the reason it was cut short is the client's body.
      if (overLimit()) throw tooLarge(limit);
      throw error;
    }
    if (!result) throw new ConnectError("UploadImage answered nothing", Code.Internal);
    return call.reply.code(201).type("application/json").send(toJson(UploadImageResponseSchema, result));
  };
}

function tooLarge(limit: number) {
  return Object.assign(new Error(`the upload is larger than ${limit} bytes`), { statusCode: 413 });
}

function unsupported(contentType: string): never {
  throw Object.assign(
    new Error(`unsupported Content-Type "${contentType}": use multipart/form-data or image/*`),
    {
      statusCode: 415,
    },
  );
}

function metadataFrom(json: JsonObject, field = ""): UploadMetadata {
  try {
    return fromJson(UploadMetadataSchema, json);
  } catch (error) {
    throw new BadRequestError([violationFromJsonError(error, field)]);
  }
}

function fromRawBody(call: RouteCall, contentType: string) {
  const json: JsonObject = Object.fromEntries(call.query);
  const metadata = metadataFrom({ contentType: contentType.split(";")[0]!.trim(), ...json });
  const length = Number(call.request.headers["content-length"] ?? 0);
  if (length > call.limits.bodyBytes) throw tooLarge(call.limits.bodyBytes);
  if (metadata.sizeBytes === 0n && length > 0) metadata.sizeBytes = BigInt(length);
  return { metadata, bytes: call.request.body as Readable, truncated: () => false };
}

async function fromMultipart(call: RouteCall) {
  try {
    return await readMultipart(call);
  } catch (error) {
    if (error instanceof BadRequestError || (error as { statusCode?: number }).statusCode) throw error;
    // The parser's own complaints (no boundary, a truncated body) are the client's mistake.
    throw new BadRequestError([
      { field: "", description: `malformed multipart body: ${(error as Error).message}` },
    ]);
  }
}

async function readMultipart(call: RouteCall) {
  const fields: JsonObject = {};
  const limits = { ...MULTIPART_LIMITS, fileSize: call.limits.bodyBytes };
  for await (const part of call.request.parts({ limits })) {
    if (part.type === "field") {
      fields[part.fieldname] = String(part.value);
      continue;
    }
    if (part.fieldname !== "file") {
      part.file.resume();
      throw new BadRequestError([
        { field: part.fieldname, description: 'the file goes in the part named "file"' },
      ]);
    }
    const metadata = metadataFrom({
      ...(part.filename ? { filename: part.filename } : {}),
      ...(part.mimetype && part.mimetype !== "application/octet-stream"
        ? { contentType: part.mimetype }
        : {}),
      ...fields,
    });
    return { metadata, bytes: part.file, truncated: () => part.file.truncated };
  }
  throw new BadRequestError([{ field: "file", description: 'a multipart upload needs a part named "file"' }]);
}
