import { readFileSync } from "node:fs";
import { setting } from "./config.js";
import type { ClientTls } from "./grpc-client.js";
import type { ServerTls } from "./grpc-server.js";

/**
 * The TLS settings every service reads: a certificate and its key to serve TLS; a CA as well to
 * require client certificates signed by it (mutual TLS), and to trust the services it calls. For
 * its own calls under mutual TLS a service presents TLS_CLIENT_CERT_FILE/TLS_CLIENT_KEY_FILE when
 * set — its own certificate, naming it (`spiffe://switchboard/<service>`, scripts/dev-certs.sh) —
 * and otherwise its serving certificate, which names no service (its calls then need a token).
 */
export const tlsSettings = {
  TLS_CERT_FILE: setting.optionalString(),
  TLS_KEY_FILE: setting.optionalString(),
  TLS_CA_FILE: setting.optionalString(),
  TLS_CLIENT_CERT_FILE: setting.optionalString(),
  TLS_CLIENT_KEY_FILE: setting.optionalString(),
};

export interface TlsFiles {
  TLS_CERT_FILE?: string | undefined;
  TLS_KEY_FILE?: string | undefined;
  TLS_CA_FILE?: string | undefined;
  TLS_CLIENT_CERT_FILE?: string | undefined;
  TLS_CLIENT_KEY_FILE?: string | undefined;
}

/** The server's TLS read from its files; undefined (plaintext) when no certificate is set. */
export function serverTlsFromFiles(files: TlsFiles): ServerTls | undefined {
  if (!files.TLS_CERT_FILE && !files.TLS_KEY_FILE) return undefined;
  if (!files.TLS_CERT_FILE || !files.TLS_KEY_FILE) {
    // Half a configuration must not quietly serve plaintext.
    throw new Error("TLS_CERT_FILE and TLS_KEY_FILE go together: set both, or neither for plaintext");
  }
  const ca = files.TLS_CA_FILE ? readFileSync(files.TLS_CA_FILE) : undefined;
  return {
    cert: readFileSync(files.TLS_CERT_FILE),
    key: readFileSync(files.TLS_KEY_FILE),
    ...(ca ? { ca } : {}),
  };
}

/**
 * TLS for calling another service of the deployment: trust the same CA, and present this
 * service's client certificate, or else its serving one (for servers that require mutual TLS).
 * Undefined without a CA.
 */
export function clientTlsFromFiles(files: TlsFiles): ClientTls | undefined {
  if (!files.TLS_CA_FILE) return undefined;
  if (Boolean(files.TLS_CLIENT_CERT_FILE) !== Boolean(files.TLS_CLIENT_KEY_FILE)) {
    throw new Error("TLS_CLIENT_CERT_FILE and TLS_CLIENT_KEY_FILE go together: set both, or neither");
  }
  const own = serverTlsFromFiles(
    files.TLS_CLIENT_CERT_FILE
      ? { ...files, TLS_CERT_FILE: files.TLS_CLIENT_CERT_FILE, TLS_KEY_FILE: files.TLS_CLIENT_KEY_FILE }
      : files,
  ); // reads the CA too, when there is a certificate
  return own ? { ca: own.ca!, cert: own.cert, key: own.key } : { ca: readFileSync(files.TLS_CA_FILE) };
}
