/**
 * The wsse:Security header → `authorization: Bearer <jwt>` for the backend call. The gateway only
 * finds out *who* is calling; whether that caller may do what it asks is the services' decision.
 *
 * - BinarySecurityToken (a JWT): passed on as it is; the service verifies it.
 * - UsernameToken, PasswordText: only over TLS; the gateway logs in (AuthService.Login) and passes
 *   the access token on. A Nonce/Created, if sent, is checked for freshness and replay too.
 * - UsernameToken, PasswordDigest: Base64(SHA-1(nonce + created + password)) needs the password in
 *   the clear on the server, and user-service keeps only scrypt hashes: it cannot be verified. The
 *   Nonce and Created are still checked (a stale or replayed one is refused as such), then the
 *   request is refused with a Fault saying what to send instead — unless a DigestVerifier (e.g. for
 *   a separate store of digest-capable secrets) is plugged in.
 */
import { Code } from "@connectrpc/connect";
import type { HeaderContext, SoapHeaderHandler } from "../soap/header-handler.js";
import { SoapFault } from "../soap/soap-fault.js";
import type { XmlElement } from "../xml/xml-tree.js";
import type { PasswordLogin } from "./password-login.js";
import type { ReplayGuard } from "./replay-guard.js";
import { isSecurityHeader, readSecurityHeader } from "./security-header.js";

/** Checks a PasswordDigest (after the freshness checks) and answers the caller's access token. */
export interface DigestVerifier {
  accessToken(
    token: { username: string; digest: string; nonce: string; created: string },
    signal: AbortSignal,
  ): Promise<string>;
}

export interface WsSecurityOptions {
  passwords: PasswordLogin;
  replay: ReplayGuard;
  digests?: DigestVerifier;
}

export const DIGEST_NOT_SUPPORTED =
  "wsse:Security: PasswordDigest cannot be verified here: passwords are stored as scrypt hashes, " +
  "not in the clear a digest needs. Send a UsernameToken with PasswordText over HTTPS, or a " +
  "BinarySecurityToken with the JWT from AuthService Login";

export function wsSecurityHandler(options: WsSecurityOptions): SoapHeaderHandler {
  return {
    understands: isSecurityHeader,
    async handle(header: XmlElement, outgoing: Headers, context: HeaderContext) {
      if (outgoing.has("authorization")) {
        throw refused("send one credential: an Authorization header or one wsse:Security header");
      }
      const { credential, timestamp } = readSecurityHeader(header);
      if (timestamp) options.replay.checkTimestamp(timestamp);
      if (credential.kind === "jwt") {
        outgoing.set("authorization", `Bearer ${credential.token}`);
        return;
      }
      const { username, password, nonce, created } = credential;
      if (credential.type === "digest") {
        if (!nonce || !created) throw refused("a PasswordDigest needs a Nonce and a wsu:Created");
        options.replay.checkToken(username, created, nonce);
        if (!options.digests) throw new SoapFault(Code.Unauthenticated, DIGEST_NOT_SUPPORTED);
        const token = await options.digests.accessToken(
          { username, digest: password, nonce, created },
          context.signal,
        );
        outgoing.set("authorization", `Bearer ${token}`);
        return;
      }
      if (!context.secure) {
        throw refused(
          "a PasswordText is accepted only over HTTPS; over plain HTTP send a BinarySecurityToken " +
            "with the JWT from AuthService Login",
        );
      }
      if (created) options.replay.checkToken(username, created, nonce);
      else if (nonce) throw refused("a Nonce needs a wsu:Created");
      const token = await options.passwords.accessToken(username, password, context.signal);
      outgoing.set("authorization", `Bearer ${token}`);
    },
  };
}

function refused(message: string): SoapFault {
  return new SoapFault(Code.Unauthenticated, `wsse:Security: ${message}`);
}
