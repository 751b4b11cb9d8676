import { generateKeyPairSync, randomUUID } from "node:crypto";
import {
  type CryptoKey,
  type JsonWebKey,
  TOKEN_AUDIENCE,
  TOKEN_ISSUER,
  TokenVerifier,
  type VerificationKeys,
} from "@switchboard/runtime";
import { type JWTHeaderParameters, type JWTPayload, SignJWT } from "jose";

export interface TestTokens {
  /** Verifies tokens of this kit's key (and only those): for a server's AuthOptions. */
  verifier: TokenVerifier;
  keys: VerificationKeys;
  /** The kit's public key as a JWKS, as user-service's GetJwks serves it. */
  jwks: { keys: JsonWebKey[] };
  /** The key id in every token's header. */
  kid: string;
  /** A user's access token (roles default ["user"]). */
  user(userId: string, roles?: readonly string[]): Promise<string>;
  /** An admin's access token (a fresh user id unless given). */
  admin(userId?: string): Promise<string>;
  /** A service's token: sub "service:<name>", roles ["service"]. */
  service(name: string): Promise<string>;
  /**
   * Any token signed with the kit's key, for attack tests: `claims` over the defaults (iss, aud,
   * iat, exp in 15 min, jti; a claim set to undefined is left out), `header` over {alg ES256, kid}.
   */
  sign(claims: Record<string, unknown>, header?: Partial<JWTHeaderParameters>): Promise<string>;
}

/** Real ES256 tokens from a fresh key, verified by a real TokenVerifier: what harnesses give their clients. */
export function testTokens(): TestTokens {
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const kid = `test-${randomUUID()}`;
  const verifyKey = publicKey.toCryptoKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
    "verify",
  ]) as unknown as CryptoKey;
  const keys: VerificationKeys = { keyFor: async (id) => (id === kid ? verifyKey : undefined) };
  const sign = (claims: Record<string, unknown>, header: Partial<JWTHeaderParameters> = {}) => {
    const now = Math.floor(Date.now() / 1000);
    const payload = Object.fromEntries(
      Object.entries({
        iss: TOKEN_ISSUER,
        aud: TOKEN_AUDIENCE,
        iat: now,
        exp: now + 900,
        jti: randomUUID(),
        ...claims,
      }).filter(([, value]) => value !== undefined),
    ) as JWTPayload;
    return new SignJWT(payload).setProtectedHeader({ alg: "ES256", kid, ...header }).sign(privateKey);
  };
  return {
    verifier: new TokenVerifier({ keys }),
    keys,
    jwks: { keys: [{ ...publicKey.export({ format: "jwk" }), kid, alg: "ES256", use: "sig" }] },
    kid,
    user: (userId, roles = ["user"]) => sign({ sub: userId, roles: [...roles] }),
    admin: (userId = randomUUID()) => sign({ sub: userId, roles: ["user", "admin"] }),
    service: (name) => sign({ sub: `service:${name}`, roles: ["service"] }),
    sign,
  };
}
