import type { Caller } from "./caller.js";

/**
 * Tokens already verified, with the caller each names, until they expire: a client sends the same
 * token for many calls, and the ES256 check (≈ 0.1 ms, bench/auth.bench.ts) need not run again for
 * the same bytes. Bounded: past `capacity` the oldest entry goes. Only successes are kept.
 */
export class VerifiedTokens {
  readonly #entries = new Map<string, { caller: Caller; expiresAtMs: number }>();

  constructor(readonly capacity: number) {}

  get(token: string, nowMs: number): Caller | undefined {
    const entry = this.#entries.get(token);
    if (!entry) return undefined;
    if (nowMs > entry.expiresAtMs) {
      this.#entries.delete(token);
      return undefined;
    }
    return entry.caller;
  }

  set(token: string, caller: Caller, expiresAtMs: number): void {
    if (this.capacity <= 0) return;
    this.#entries.delete(token);
    this.#entries.set(token, { caller, expiresAtMs });
    if (this.#entries.size > this.capacity) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
  }
}
