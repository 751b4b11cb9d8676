import { Code, ConnectError } from "@connectrpc/connect";
import { type CryptoKey, importJWK, type JWK } from "jose";
import type { VerificationKeys } from "./verification-keys.js";

/** One key of a JSON Web Key Set (RFC 7517). */
export type JsonWebKey = JWK;

export interface JwksKeysOptions {
  /** Fetches the current key set, e.g. jwksOfUserService(url). */
  fetchJwks: () => Promise<{ keys: JsonWebKey[] }>;
  /** The least time between two fetches (default 5 s): a flood of unknown kids fetches at most this often. */
  minRefreshMs?: number;
}

/**
 * Verification keys from a JSON Web Key Set, fetched once and cached; a token naming an unknown
 * `kid` (the signer rotated its key) fetches the set again, at most once per `minRefreshMs`.
 * Each fetch replaces the cache, so a key the signer retired stops verifying.
 *
 * When the set cannot be fetched, keyFor throws UNAVAILABLE (the token may be good: the caller may
 * retry) — for the same `minRefreshMs`, so a user-service that is down is not hammered either.
 */
export class JwksKeys implements VerificationKeys {
  readonly #fetchJwks: () => Promise<{ keys: JsonWebKey[] }>;
  readonly #minRefreshMs: number;
  #keys = new Map<string, CryptoKey>();
  #fetchedAt = Number.NEGATIVE_INFINITY;
  #failure: ConnectError | undefined;
  #fetching: Promise<void> | undefined;

  constructor(options: JwksKeysOptions) {
    this.#fetchJwks = options.fetchJwks;
    this.#minRefreshMs = options.minRefreshMs ?? 5_000;
  }

  async keyFor(kid: string): Promise<CryptoKey | undefined> {
    const known = this.#keys.get(kid);
    if (known) return known;
    await this.#refresh();
    if (this.#failure) throw this.#failure;
    return this.#keys.get(kid);
  }

  /** Fetches again unless a fetch ran within minRefreshMs; concurrent callers share one fetch. */
  #refresh(): Promise<void> {
    if (this.#fetching) return this.#fetching;
    if (performance.now() - this.#fetchedAt < this.#minRefreshMs) return Promise.resolve();
    this.#fetching = this.#fetch().finally(() => {
      this.#fetchedAt = performance.now();
      this.#fetching = undefined;
    });
    return this.#fetching;
  }

  async #fetch(): Promise<void> {
    try {
      const { keys } = await this.#fetchJwks();
      const imported = new Map<string, CryptoKey>();
      for (const jwk of keys) {
        const key = await publicSigningKey(jwk);
        if (key) imported.set(key.kid, key.key);
      }
      this.#keys = imported;
      this.#failure = undefined;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.#failure = new ConnectError(
        `cannot fetch the keys that verify tokens: ${reason}`,
        Code.Unavailable,
      );
    }
  }
}

/** An ES256 public key with an id; anything else in the set (another kind, a private key) is skipped. */
async function publicSigningKey(jwk: JsonWebKey) {
  if (jwk.kty !== "EC" || jwk.crv !== "P-256" || "d" in jwk) return undefined;
  if (!jwk.kid || (jwk.alg && jwk.alg !== "ES256") || (jwk.use && jwk.use !== "sig")) return undefined;
  try {
    const key = await importJWK({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }, "ES256");
    return key instanceof Uint8Array ? undefined : { kid: jwk.kid, key };
  } catch {
    return undefined;
  }
}
