import { randomUUID } from "node:crypto";
import { TOKEN_AUDIENCE, TOKEN_ISSUER } from "@switchboard/runtime";
import { SignJWT } from "jose";
import { SIGNING_ALGORITHM, type SigningKeys } from "./signing-keys.js";

export interface AccessToken {
  token: string;
  /** Seconds until it expires. */
  expiresIn: number;
  subject: string;
}

/** The subject of a service's tokens: `service:<name>`. */
export const serviceSubject = (name: string) => `service:${name}`;

/**
 * Mints access tokens (contract: auth_service.proto): ES256 JWTs with `kid`, `iss`/`aud`
 * "switchboard", `sub`, `roles`, `iat`, `exp`, `jti`, signed with the current key.
 */
export class TokenIssuer {
  constructor(
    private readonly keys: SigningKeys,
    private readonly ttlSeconds: number,
  ) {}

  forUser(userId: string, roles: readonly string[]): Promise<AccessToken> {
    return this.#issue(userId, roles);
  }

  forService(name: string): Promise<AccessToken> {
    return this.#issue(serviceSubject(name), ["service"]);
  }

  async #issue(subject: string, roles: readonly string[]): Promise<AccessToken> {
    const { kid, privateKey } = await this.keys.signingKey();
    const issuedAt = Math.floor(this.keys.now() / 1000);
    const token = await new SignJWT({ roles: [...roles] })
      .setProtectedHeader({ alg: SIGNING_ALGORITHM, kid, typ: "JWT" })
      .setIssuer(TOKEN_ISSUER)
      .setAudience(TOKEN_AUDIENCE)
      .setSubject(subject)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + this.ttlSeconds)
      .setJti(randomUUID())
      .sign(privateKey);
    return { token, expiresIn: this.ttlSeconds, subject };
  }
}

/**
 * A token for this service's own outgoing calls, minted in process and minted again a minute
 * before it expires (ServiceClientOptions.token).
 */
export function ownServiceToken(issuer: TokenIssuer, name: string): () => Promise<string> {
  let current: { token: string; renewAt: number } | undefined;
  let minting: Promise<string> | undefined;
  return async () => {
    if (current && Date.now() < current.renewAt) return current.token;
    minting ??= issuer
      .forService(name)
      .then(({ token, expiresIn }) => {
        current = { token, renewAt: Date.now() + Math.max(expiresIn - 60, expiresIn / 2) * 1000 };
        return token;
      })
      .finally(() => {
        minting = undefined;
      });
    return minting;
  };
}
