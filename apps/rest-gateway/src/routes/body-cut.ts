import { Transform } from "node:stream";
import type { RequestPayload } from "fastify";

/** A 413 for the error handler (a google.rpc.Status with RESOURCE_EXHAUSTED). */
export function tooLarge(limit: number) {
  return Object.assign(new Error(`the request body is larger than this route's ${limit} bytes`), {
    statusCode: 413,
  });
}

/**
 * The body as it arrives, failing with a 413 as soon as it passes `limit` bytes (a body sent
 * without Content-Length, or one longer than its Content-Length claimed): never read past the limit.
 */
export function cutBodyAt(payload: RequestPayload, limit: number): RequestPayload {
  let received = 0;
  const cut = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      received += chunk.length;
      if (received > limit) return callback(tooLarge(limit));
      callback(null, chunk);
    },
  });
  payload.on("error", (error) => cut.destroy(error));
  // fastify compares this with Content-Length to spot a body shorter or longer than announced.
  Object.defineProperty(cut, "receivedEncodedLength", { get: () => received });
  return payload.pipe(cut) as unknown as RequestPayload;
}
