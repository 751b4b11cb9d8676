import { Readable } from "node:stream";
import type { DescMethodStreaming, DescMethodUnary } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { transcodeRequest } from "@switchboard/http-transcoding";
import {
  type DownloadImageRequest,
  type DownloadImageResponse,
  type GetImageResponse,
  ImageService,
} from "@switchboard/proto/switchboard/image/v1/image_service_pb.js";
import { messageGarbage } from "@switchboard/runtime";
import { sendStatus } from "../errors.js";
import { single } from "./list-page.js";
import type { RouteCall } from "./rest.js";

/**
 * GET /v1/images/{image_id}:download: the bytes as they stream from DownloadImage, with
 * Content-Type, Content-Length, ETag (the sha256), Cache-Control; If-Match that does not match
 * → 412; If-None-Match → 304; a single `Range: bytes=a-b` → 206 (offset/length sent to the
 * backend), unless If-Range names other bytes.
 */
export function downloadImage() {
  return async (call: RouteCall) => {
    const { timeoutMs } = call.limits;
    const input = transcodeRequest<DownloadImageRequest>(call.route, {
      bindings: call.bindings,
      query: call.query,
      body: undefined,
    });
    const { range: rangeHeader, "if-match": ifMatch, "if-none-match": ifNoneMatch } = call.request.headers;
    const ifRange = call.request.headers["if-range"];
    let range: { start: number; end: number } | undefined;
    if (rangeHeader || ifNoneMatch || ifMatch) {
      // The size and hash first: a 412 or 304 sends no bytes, and a range must fit the file.
      const { image } = await callGetImage(call, input.imageId, timeoutMs);
      const variant = input.variantId ? image?.variants.find((v) => v.id === input.variantId) : undefined;
      const sha = variant?.sha256 ?? image?.sha256 ?? "";
      const size = Number(variant?.sizeBytes ?? image?.sizeBytes ?? 0);
      // RFC 9110 §13.2.2's order: If-Match, then If-None-Match, then If-Range and Range.
      if (ifMatch && !etagMatches(ifMatch, sha, "strong")) {
        call.reply.header("etag", `"${sha}"`);
        return sendStatus(
          call.reply,
          412,
          Code.FailedPrecondition,
          `If-Match ${ifMatch} does not match the image's ETag`,
        );
      }
      if (ifNoneMatch && etagMatches(ifNoneMatch, sha, "weak")) {
        return call.reply.code(304).header("etag", `"${sha}"`).header("cache-control", CACHE).send();
      }
      // If-Range names the bytes the client holds a part of; other bytes mean "send them all".
      if (rangeHeader && (!ifRange || ifRange === `"${sha}"`)) {
        const parsed = parseRange(rangeHeader, size);
        if (parsed === null) {
          call.reply.header("content-range", `bytes */${size}`);
          return sendStatus(
            call.reply,
            416,
            Code.OutOfRange,
            `range ${rangeHeader} is not satisfiable (${size} bytes)`,
          );
        }
        range = parsed;
        if (range) {
          input.offset = BigInt(range.start);
          input.length = BigInt(range.end - range.start + 1);
        }
      }
    }
    const response = await call.backend.transport.stream(
      call.route.method as DescMethodStreaming,
      call.signal,
      timeoutMs,
      call.headers,
      single(input),
    );
    const messages = response.message[Symbol.asyncIterator]() as AsyncIterator<DownloadImageResponse>;
    const first = await messages.next();
    if (first.done || first.value.data.case !== "metadata")
      throw new ConnectError("DownloadImage sent no metadata first", Code.Internal);
    const meta = first.value.data.value;
    const size = Number(meta.sizeBytes);
    call.reply
      .header("content-type", meta.contentType || "application/octet-stream")
      .header("etag", `"${meta.sha256}"`)
      .header("cache-control", CACHE)
      .header("accept-ranges", "bytes");
    if (range) {
      call.reply
        .code(206)
        .header("content-range", `bytes ${range.start}-${range.end}/${size}`)
        .header("content-length", range.end - range.start + 1);
    } else call.reply.header("content-length", size);
    async function* bytes() {
      for (;;) {
        const next = await messages.next();
        if (next.done) return;
        if (next.value.data.case !== "chunk") continue;
        messageGarbage.passed(next.value.data.value.length); // each chunk is garbage once written
        yield next.value.data.value;
      }
    }
    return call.reply.send(Readable.from(bytes(), { objectMode: false }));
  };
}

/** Content-addressed bytes never change: cache for a day, revalidate by ETag after that. */
const CACHE = "private, max-age=86400";

async function callGetImage(call: RouteCall, imageId: string, timeoutMs: number) {
  const response = await call.backend.transport.unary(
    ImageService.method.getImage as DescMethodUnary,
    call.signal,
    timeoutMs,
    call.headers,
    { imageId },
  );
  return response.message as GetImageResponse;
}

/**
 * Whether an If-Match / If-None-Match list names the image (RFC 9110 §8.8.3.2): If-None-Match
 * compares weakly (W/"x" matches "x"), If-Match strongly (a weak tag never matches).
 */
function etagMatches(header: string, sha: string, comparison: "weak" | "strong"): boolean {
  return header
    .split(",")
    .map((tag) => tag.trim())
    .map((tag) => (comparison === "weak" ? tag.replace(/^W\//, "") : tag))
    .some((tag) => tag === "*" || tag === `"${sha}"`);
}

/**
 * One `bytes=` range (RFC 9110): a-b, a-, -suffix. undefined: ignore the header (several ranges
 * or not bytes: answer 200 with everything, as the RFC allows); null: unsatisfiable (416).
 */
export function parseRange(header: string, size: number): { start: number; end: number } | undefined | null {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === "" && m[2] === "")) return undefined;
  let start: number;
  let end: number;
  if (m[1] === "") {
    const suffix = Number(m[2]);
    if (suffix === 0) return null;
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
    if (m[2] !== "" && Number(m[2]) < start) return undefined;
  }
  if (start >= size) return null;
  return { start, end };
}
