// One helper per call kind: a deadline on every call, and the stub's token (metadataFor) in plaintext.
import { metadataFor } from "./connect.js";

/** Calls a unary method with a deadline (and the client's token), as a promise. */
export async function call(client, method, request, { timeoutMs = 5_000 } = {}) {
  const metadata = await metadataFor(client);
  return new Promise((resolve, reject) => {
    client[method](request, metadata, { deadline: Date.now() + timeoutMs }, (error, response) =>
      error ? reject(error) : resolve(response),
    );
  });
}

/** Sends every item of `requests` on a client stream and resolves with the single response. */
export async function callClientStream(client, method, requests, { timeoutMs = 30_000 } = {}) {
  const metadata = await metadataFor(client);
  return new Promise((resolve, reject) => {
    const stream = client[method](metadata, { deadline: Date.now() + timeoutMs }, (error, response) =>
      error ? reject(error) : resolve(response),
    );
    (async () => {
      for await (const request of requests) {
        if (!stream.write(request)) await new Promise((drained) => stream.once("drain", drained));
      }
      stream.end();
    })().catch((error) => {
      stream.cancel();
      reject(error);
    });
  });
}

/** Starts a server stream with a deadline; resolves with the stream (iterate it with `for await`). */
export async function callServerStream(client, method, request, { timeoutMs = 30_000 } = {}) {
  return client[method](request, await metadataFor(client), { deadline: Date.now() + timeoutMs });
}

/**
 * Starts a bidi stream with a deadline, writing every item of `requests` (respecting back-pressure)
 * while the caller reads the answers with `for await`; ends its side when `requests` runs out.
 * Resolves with the stream once the call has started.
 */
export async function callBidi(client, method, requests, { timeoutMs = 30_000 } = {}) {
  const stream = client[method](await metadataFor(client), { deadline: Date.now() + timeoutMs });
  (async () => {
    for await (const request of requests) {
      if (!stream.write(request)) await new Promise((drained) => stream.once("drain", drained));
    }
    stream.end();
  })().catch(() => stream.cancel());
  return stream;
}

/** Splits bytes into chunks of `size` (64 KiB by default), as every chunked upload does. */
export function* chunks(bytes, size = 64 * 1024) {
  for (let offset = 0; offset < bytes.length; offset += size) yield bytes.subarray(offset, offset + size);
}
