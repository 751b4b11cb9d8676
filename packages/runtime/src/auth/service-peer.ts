import type { PeerCertificate } from "node:tls";
import { createContextKey } from "@connectrpc/connect";

/**
 * The service that a verified client certificate names (mutual TLS), or "" without one. Set per
 * call by the servers; only the auth interceptor reads it, and only for the rpcs that service may
 * call without a token (AuthOptions.servicePeers).
 */
export const certifiedServiceKey = createContextKey<string>("", {
  description: "service named by the client certificate",
});

const SPIFFE_PREFIX = "spiffe://switchboard/";
const SERVICE_NAME = /^[a-z][a-z0-9-]{0,62}$/;

/**
 * The service name in a certificate's URI SAN `spiffe://switchboard/<name>` (scripts/dev-certs.sh
 * issues one per service), or "" when it has none, or more than one.
 */
export function serviceNameOf(certificate: Pick<PeerCertificate, "subjectaltname"> | undefined): string {
  const names = (certificate?.subjectaltname ?? "")
    .split(/,\s*/)
    .filter((entry) => entry.startsWith(`URI:${SPIFFE_PREFIX}`))
    .map((entry) => entry.slice(`URI:${SPIFFE_PREFIX}`.length));
  const [name] = names;
  return names.length === 1 && name && SERVICE_NAME.test(name) ? name : "";
}
