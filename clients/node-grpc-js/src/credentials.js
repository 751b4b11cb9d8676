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
