import type { CryptoKey } from "jose";

export type { CryptoKey };

/** Where a verifier finds the public key a token names in its header's `kid`. */
export interface VerificationKeys {
  /** The key with that id, or undefined when there is none (the token is then refused). */
  keyFor(kid: string): Promise<CryptoKey | undefined>;
}
