import {
  type CryptoKey,
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
} from "jose";
import type { SigningKeyRow, SigningKeyStore } from "../store/signing-key-store.js";

export const SIGNING_ALGORITHM = "ES256";

/**
 * How long an instance trusts its cached view of the keys before reading the table again. Another
 * instance may rotate meanwhile; a retired key stays published long enough to cover this.
 */
const CACHE_MS = 60_000;
/** At most one reload per this long for tokens naming a kid we do not know (forged kids cost nothing to send). */
const UNKNOWN_KID_RELOAD_MS = 2_000;
/** Added to a retired key's lifetime: verifiers' clock skew (30 s), instances' cache and clock drift. */
const RETIRED_KEY_MARGIN_MS = 5 * 60_000;

export interface SigningKeysOptions {
  store: SigningKeyStore;
  /** A signing key older than this is replaced by a new one. */
  rotateEveryMs: number;
  /** The lifetime of the tokens the keys sign: a retired key is published that long after its last token. */
  tokenTtlMs: number;
  /** The time (default Date.now): rotation and key lifetimes are decided on it. */
  clock?: () => number;
}

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
}

interface PublishedKey {
  publicJwk: JWK;
  publicKey: CryptoKey;
  notAfter: number;
}

/**
 * The ES256 keys that sign access tokens, kept in the database so that every user-service instance
 * signs with the same current key and publishes the same set. A key signs for `rotateEveryMs`;
 * then the first instance to need it makes the next one (under a lock, so only one does), and the
 * old one stays published until the last token it may have signed has expired.
 *
 * Also the in-process VerificationKeys of user-service's own token verifier (no network).
 */
export class SigningKeys {
  readonly #store: SigningKeyStore;
  readonly #rotateEveryMs: number;
  readonly #tokenTtlMs: number;
  readonly #clock: () => number;
  #signing: { key: SigningKey; createdAt: number; loadedAt: number } | undefined;
  #published = new Map<string, PublishedKey>();
  #publishedAt = Number.NEGATIVE_INFINITY;
  #reloading: Promise<void> | undefined;

  constructor(options: SigningKeysOptions) {
    this.#store = options.store;
    this.#rotateEveryMs = options.rotateEveryMs;
    this.#tokenTtlMs = options.tokenTtlMs;
    this.#clock = options.clock ?? Date.now;
  }

  now(): number {
    return this.#clock();
  }

  /** The key to sign with now: the current one, or a new one if it is due for rotation. */
  async signingKey(): Promise<SigningKey> {
    const now = this.#clock();
    const cached = this.#signing;
    if (cached && now - cached.loadedAt < CACHE_MS && !this.#due(cached.createdAt, now)) return cached.key;
    let row = await this.#store.current(this.#store.db);
    if (!row || this.#due(new Date(row.created_at).getTime(), now)) row = await this.#rotate();
    const key = {
      kid: row.kid,
      privateKey: (await importJWK(row.private_jwk, SIGNING_ALGORITHM)) as CryptoKey,
    };
    this.#signing = { key, createdAt: new Date(row.created_at).getTime(), loadedAt: now };
    return key;
  }

  /** Public JWKs of every key that may have signed a token still valid (the JWKS). */
  async publicKeys(): Promise<JWK[]> {
    await this.#refresh(CACHE_MS);
    const now = this.#clock();
    return [...this.#published.values()].filter((key) => key.notAfter > now).map((key) => key.publicJwk);
  }

  /** The public key with this kid, if it may still verify a token (VerificationKeys). */
  async keyFor(kid: string): Promise<CryptoKey | undefined> {
    await this.#refresh(CACHE_MS);
    if (!this.#published.has(kid)) await this.#refresh(UNKNOWN_KID_RELOAD_MS);
    const key = this.#published.get(kid);
    return key && key.notAfter > this.#clock() ? key.publicKey : undefined;
  }

  #due(createdAt: number, now: number): boolean {
    return now - createdAt >= this.#rotateEveryMs;
  }

  /** Makes the next key, unless another instance just did (checked again under the lock). */
  async #rotate(): Promise<SigningKeyRow> {
    const row = await this.#store.withRotationLock(async (tx) => {
      const now = this.#clock();
      const current = await this.#store.current(tx);
      if (current && !this.#due(new Date(current.created_at).getTime(), now)) return current;
      const fresh = await newKey(new Date(now));
      await this.#store.rotateTo(tx, fresh, new Date(now + this.#tokenTtlMs + RETIRED_KEY_MARGIN_MS));
      return { ...fresh, retired_at: null, not_after: null };
    });
    this.#publishedAt = Number.NEGATIVE_INFINITY; // the set changed
    return row;
  }

  /** Reads the published keys again if the last read is older than `maxAgeMs` (one read at a time). */
  async #refresh(maxAgeMs: number): Promise<void> {
    if (this.#clock() - this.#publishedAt < maxAgeMs) return;
    this.#reloading ??= this.#load().finally(() => {
      this.#reloading = undefined;
    });
    await this.#reloading;
  }

  async #load(): Promise<void> {
    const now = this.#clock();
    const rows = await this.#store.published(new Date(now));
    const published = new Map<string, PublishedKey>();
    for (const row of rows) {
      published.set(row.kid, {
        publicJwk: row.public_jwk,
        publicKey: (await importJWK(row.public_jwk, SIGNING_ALGORITHM)) as CryptoKey,
        notAfter: row.not_after ? new Date(row.not_after).getTime() : Number.POSITIVE_INFINITY,
      });
    }
    this.#published = published;
    this.#publishedAt = now;
  }
}

async function newKey(createdAt: Date) {
  const { privateKey, publicKey } = await generateKeyPair(SIGNING_ALGORITHM, { extractable: true });
  const bare = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(bare);
  const public_jwk: JWK = { ...bare, kid, alg: SIGNING_ALGORITHM, use: "sig" };
  const private_jwk: JWK = { ...(await exportJWK(privateKey)), kid, alg: SIGNING_ALGORITHM };
  return { kid, public_jwk, private_jwk, created_at: createdAt };
}
