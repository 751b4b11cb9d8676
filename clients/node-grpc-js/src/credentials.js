import { readFileSync } from "node:fs";
import * as grpc from "@grpc/grpc-js";

/**
 * Channel credentials: plaintext by default; TLS when given a CA file; mutual TLS when also given
 * a client certificate and key.
 */
export function channelCredentials({ caFile, certFile, keyFile } = {}) {
  if (!caFile) return grpc.credentials.createInsecure();
  const read = (file) => (file ? readFileSync(file) : null);
  return grpc.credentials.createSsl(read(caFile), read(keyFile), read(certFile));
}

/** `authorization: Bearer <token>` as metadata; `token` is asked at every call (it may refresh). */
export async function bearerMetadata(token) {
  const metadata = new grpc.Metadata();
  metadata.set("authorization", `Bearer ${await token()}`);
  return metadata;
}

/**
 * Call credentials that send `token()` on every call — grpc-js's own way, which it allows only on
 * secure channels (composing them with insecure credentials throws): under TLS use this; in
 * plaintext send bearerMetadata per call.
 */
export function bearerCallCredentials(token) {
  return grpc.credentials.createFromMetadataGenerator((_params, callback) => {
    bearerMetadata(token).then(
      (metadata) => callback(null, metadata),
      (error) => callback(error),
    );
  });
}
