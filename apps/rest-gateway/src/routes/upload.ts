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
import { rechunk } from "./rechunk.js";
import type { RouteCall } from "./rest.js";

const CHUNK = 64 * 1024;

/**
 * POST /v1/images: `multipart/form-data` (metadata fields first, then the file in part `file`) or
 * a raw `image/*` body with the metadata in the query. The bytes go into one UploadImage client
 * stream in 64 KiB chunks as they arrive; nothing holds the whole file.
 */
export function uploadImage(timeoutMs: number) {
  return async (call: RouteCall) => {
    const contentType = call.request.headers["content-type"] ?? "";
    const { metadata, bytes } = contentType.startsWith("multipart/form-data")
      ? await fromMultipart(call)
      : contentType.startsWith("image/")
        ? fromRawBody(call, contentType)
        : unsupported(contentType);
    async function* requests(): AsyncGenerator<MessageInitShape<typeof UploadImageRequestSchema>> {
      yield { data: { case: "metadata", value: metadata } };
      for await (const chunk of rechunk(bytes, CHUNK)) yield { data: { case: "chunk", value: chunk } };
    }
    const response = await call.backend.transport.stream(
      call.route.method as DescMethodStreaming,
      call.signal,
      timeoutMs,
      call.headers,
      requests(),
    );
    let result: UploadImageResponse | undefined;
    for await (const message of response.message) result = message as UploadImageResponse;
    if (!result) throw new ConnectError("UploadImage answered nothing", Code.Internal);
    return call.reply.code(201).type("application/json").send(toJson(UploadImageResponseSchema, result));
  };
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
  if (metadata.sizeBytes === 0n && length > 0) metadata.sizeBytes = BigInt(length);
  return { metadata, bytes: call.request.body as Readable };
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
  for await (const part of call.request.parts()) {
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
    return { metadata, bytes: part.file };
  }
  throw new BadRequestError([{ field: "file", description: 'a multipart upload needs a part named "file"' }]);
}
