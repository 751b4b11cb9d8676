import { TooManyAttemptsError } from "./errors.js";

export interface ThrottleLimits {
  /** Failed attempts allowed per account within one window. */
  perAccount: number;
  /** Failed attempts allowed per client (peer address) within one window. */
  perClient: number;
  windowMs: number;
}

/** Buckets remembered at most: past it the oldest are forgotten (an attacker cycling names cannot grow memory). */
const MAX_BUCKETS = 100_000;

interface Bucket {
  failures: number;
  windowStart: number;
}

/**
 * Counts failed logins per account and per client in fixed windows, and refuses further attempts
 * once either count reaches its limit, until that window ends. An attempt is counted as it starts
 * (so parallel guesses cannot all pass the check) and forgiven if it succeeds. In memory, per instance: several
 * instances each allow the limit, and a restart forgets the counts.
 *
 * The client is the peer address: behind a gateway every caller shares the gateway's address, so
 * the per-client limit is then a limit on all logins through that gateway.
 */
export class LoginThrottle {
  readonly #accounts = new Map<string, Bucket>();
  readonly #clients = new Map<string, Bucket>();

  constructor(
    private readonly limits: ThrottleLimits,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Throws TooManyAttemptsError if either the account or the client is at its limit. */
  check(account: string, client: string): void {
    const now = this.clock();
    const waits = [
      this.#wait(this.#accounts, account.toLowerCase(), this.limits.perAccount, now),
      this.#wait(this.#clients, client, this.limits.perClient, now),
    ];
    const wait = Math.max(...waits);
    if (wait > 0) {
      const seconds = Math.ceil(wait / 1000);
      throw new TooManyAttemptsError(`too many failed attempts; retry in ${seconds} s`, seconds);
    }
  }

  failed(account: string, client: string): void {
    const now = this.clock();
    this.#count(this.#accounts, account.toLowerCase(), now);
    this.#count(this.#clients, client, now);
  }

  /**
   * Takes back an attempt counted by failed() that then succeeded: the account's failures are
   * cleared, the client's count loses that one attempt (one good password does not vouch for the rest).
   */
  forgive(account: string, client: string): void {
    this.#accounts.delete(account.toLowerCase());
    const bucket = this.#clients.get(client);
    if (bucket && bucket.failures > 0) bucket.failures--;
  }

  /** Milliseconds until `key` may try again; 0 if it may now. */
  #wait(buckets: Map<string, Bucket>, key: string, limit: number, now: number): number {
    const bucket = buckets.get(key);
    if (!bucket || now - bucket.windowStart >= this.limits.windowMs) return 0;
    return bucket.failures >= limit ? bucket.windowStart + this.limits.windowMs - now : 0;
  }

  #count(buckets: Map<string, Bucket>, key: string, now: number): void {
    const bucket = buckets.get(key);
    if (bucket && now - bucket.windowStart < this.limits.windowMs) {
      bucket.failures++;
      return;
    }
    buckets.delete(key); // re-inserted last: the map's order is oldest window first
    buckets.set(key, { failures: 1, windowStart: now });
    if (buckets.size > MAX_BUCKETS) buckets.delete(buckets.keys().next().value!);
  }
}

/** The client part of a peer address ("127.0.0.1:5000", "[::1]:5000", "ipv4:…"): without the port. */
export function clientOf(peer: string): string {
  const address = peer.replace(/^ipv[46]:/, "");
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(address);
  if (bracketed) return bracketed[1]!;
  // "host:port"; a bare IPv6 address has more than one colon and no port to strip.
  const parts = address.split(":");
  return parts.length === 2 ? parts[0]! : address;
}
