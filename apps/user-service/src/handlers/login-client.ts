import type { HandlerContext } from "@connectrpc/connect";
import { certifiedServiceKey, peerKey } from "@switchboard/runtime";
import { clientOf } from "../domain/login-throttle.js";

/** Who may tell user-service the address of the client it speaks for (`x-forwarded-for`). */
export interface TrustedProxies {
  /** Peer addresses (no port), e.g. the gateways' own when they run beside user-service. */
  addresses: ReadonlySet<string>;
  /** Services whose mutual-TLS client certificate names them, e.g. "rest-gateway". */
  services: ReadonlySet<string>;
}

export const GATEWAYS: ReadonlySet<string> = new Set(["rest-gateway", "soap-gateway"]);

/**
 * The login throttle's per-client key: the peer's address, or — when the peer is a trusted gateway
 * that names the client it speaks for — that client's address. Without this every login through a
 * gateway shares one bucket, and one guesser would lock everyone out of REST and SOAP logins. The
 * header is believed only from trusted peers: anyone else could pick a fresh address per guess.
 */
export function loginClientOf(context: HandlerContext, trusted: TrustedProxies): string {
  const peer = clientOf(context.values.get(peerKey));
  const forwarded = context.requestHeader.get("x-forwarded-for")?.split(",")[0]?.trim();
  if (!forwarded) return peer;
  const service = context.values.get(certifiedServiceKey);
  return trusted.addresses.has(peer) || (service !== "" && trusted.services.has(service)) ? forwarded : peer;
}
