import { decodeProtectedHeader, type JWTPayload, jwtVerify, type ProtectedHeaderParameters } from "jose";
import type { Caller } from "./caller.js";
import { unauthenticated } from "./unauthenticated.js";
import type { VerificationKeys } from "./verification-keys.js";
import { VerifiedTokens } from "./verified-tokens.js";

export const TOKEN_ISSUER = "switchboard";
export const TOKEN_AUDIENCE = "switchboard";
/** The only algorithm accepted: anything else (none, HS256 with a public key as secret, …) is refused. */
const ALGORITHM = "ES256";
const SERVICE_SUBJECT = "service:";

/** Verifies access tokens (ES256 JWTs from user-service) and says who they name. */
export class TokenVerifier {
  readonly #keys: VerificationKeys;
  readonly #clockSkewSeconds: number;
  readonly #verified: VerifiedTokens;

  /**
   * `cacheSize`: how many verified tokens to remember until they expire (default 1000; 0 = none).
   * A remembered token keeps verifying until its `exp` even if its key leaves the key set.
   */
  constructor(options: { keys: VerificationKeys; clockSkewSeconds?: number; cacheSize?: number }) {
    this.#keys = options.keys;
    this.#clockSkewSeconds = options.clockSkewSeconds ?? 30;
    this.#verified = new VerifiedTokens(options.cacheSize ?? 1000);
  }

  /**
   * The caller a valid token names. Anything else — malformed, another algorithm, an unknown key,
   * a bad signature, expired, not yet valid, another issuer or audience, claims that name nobody —
   * throws ConnectError UNAUTHENTICATED with a short reason. A key set that cannot be fetched
   * throws UNAVAILABLE (see JwksKeys): the token may well be good.
   */
  async verify(token: string): Promise<Caller> {
    const known = this.#verified.get(token, Date.now());
    if (known) return known;
    let header: ProtectedHeaderParameters;
    try {
      header = decodeProtectedHeader(token);
    } catch {
      throw unauthenticated("malformed token");
    }
    if (header.alg !== ALGORITHM) throw unauthenticated(`token algorithm must be ${ALGORITHM}`);
    const kid = header.kid;
    if (typeof kid !== "string" || kid === "") throw unauthenticated("token has no key id");
    const key = await this.#keys.keyFor(kid);
    if (!key) throw unauthenticated("token signed by an unknown key");
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, key, {
        algorithms: [ALGORITHM],
        issuer: TOKEN_ISSUER,
        audience: TOKEN_AUDIENCE,
        clockTolerance: this.#clockSkewSeconds,
        requiredClaims: ["sub", "exp"],
      }));
    } catch (error) {
      throw unauthenticated(reasonOf(error));
    }
    const caller = callerOfClaims(payload);
    // jwtVerify required `exp`; it stays good for as long as jwtVerify would accept it.
    this.#verified.set(token, caller, ((payload.exp as number) + this.#clockSkewSeconds) * 1000);
    return caller;
  }
}

/** A user (sub = user id, roles ⊇ ["user"]) or a service (sub = "service:<name>", roles = ["service"]). */
function callerOfClaims(payload: JWTPayload): Caller {
  const { sub, roles } = payload;
  if (typeof sub !== "string" || sub === "") throw unauthenticated("token has no subject");
  if (!Array.isArray(roles) || !roles.every((role) => typeof role === "string")) {
    throw unauthenticated("token roles must be a list of strings");
  }
  if (sub.startsWith(SERVICE_SUBJECT)) {
    const service = sub.slice(SERVICE_SUBJECT.length);
    if (service === "" || !roles.includes("service")) throw unauthenticated("malformed service token");
    return { kind: "service", service };
  }
  if (roles.includes("service") || !roles.includes("user")) throw unauthenticated("malformed user token");
  return { kind: "user", userId: sub, roles: Object.freeze([...roles]) };
}

/** jose's error codes, in words a caller can act on (never the token or the key). */
function reasonOf(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  switch (code) {
    case "ERR_JWT_EXPIRED":
      return "token expired";
    case "ERR_JWT_CLAIM_VALIDATION_FAILED": {
      const claim = (error as { claim?: unknown }).claim;
      return claim === "nbf" ? "token not yet valid" : `token claim "${String(claim)}" is not valid`;
    }
    case "ERR_JWS_SIGNATURE_VERIFICATION_FAILED":
      return "token signature does not verify";
    case "ERR_JOSE_ALG_NOT_ALLOWED":
      return `token algorithm must be ${ALGORITHM}`;
    default:
      return "malformed token";
  }
}
