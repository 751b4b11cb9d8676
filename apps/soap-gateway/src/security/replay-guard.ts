/**
 * Freshness and replay checks of WS-Security (UsernameToken profile 1.1 §4.2; SOAP Message Security
 * §10): a token's Created must be recent (not older than `maxAgeSeconds`, not ahead of our clock by
 * more than `clockSkewSeconds`), and a Nonce may be used once while its Created is still fresh —
 * after that the Created check refuses it anyway, so the memory of nonces stays bounded by time.
 * A message's wsu:Timestamp must not have expired.
 *
 * One process's memory: several gateway replicas would need a shared store (the class is the seam).
 */
import { Code } from "@connectrpc/connect";
import { SoapFault } from "../soap/soap-fault.js";

export interface ReplayGuardOptions {
  maxAgeSeconds?: number;
  clockSkewSeconds?: number;
  /** Nonces remembered at once; when full of fresh ones, new ones are refused rather than forgotten. */
  maxNonces?: number;
  now?: () => number;
}

const XSD_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

export class ReplayGuard {
  readonly maxAgeMs: number;
  private readonly skewMs: number;
  private readonly maxNonces: number;
  private readonly now: () => number;
  /** "username\nnonce" → when it may be forgotten (its Created has gone stale by then). */
  private readonly seen = new Map<string, number>();

  constructor(options: ReplayGuardOptions = {}) {
    this.maxAgeMs = (options.maxAgeSeconds ?? 300) * 1000;
    this.skewMs = (options.clockSkewSeconds ?? 60) * 1000;
    this.maxNonces = options.maxNonces ?? 100_000;
    this.now = options.now ?? Date.now;
  }

  /**
   * Checks a token's Created, then records its Nonce (if it has one); throws UNAUTHENTICATED if
   * stale or replayed.
   */
  checkToken(username: string, created: string, nonce?: string): void {
    const at = this.time(created, "Created");
    const now = this.now();
    if (at > now + this.skewMs) throw stale(`the UsernameToken's Created (${created}) is in the future`);
    if (at < now - this.maxAgeMs) {
      throw stale(`the UsernameToken's Created (${created}) is older than ${this.maxAgeMs / 1000} s`);
    }
    if (nonce === undefined) return;
    const key = `${username}\n${nonce}`;
    const until = this.seen.get(key);
    if (until !== undefined && until >= now) {
      throw stale("this Nonce was already used: a replayed message is refused");
    }
    if (this.seen.size >= this.maxNonces) this.forgetExpired(now);
    if (this.seen.size >= this.maxNonces) {
      throw new SoapFault(Code.ResourceExhausted, "wsse:Security: too many recent nonces; retry later");
    }
    this.seen.set(key, at + this.maxAgeMs + this.skewMs);
  }

  /** Checks a message's wsu:Timestamp: not expired, not created in the future. */
  checkTimestamp(timestamp: { created?: string; expires?: string }): void {
    const now = this.now();
    if (timestamp.expires !== undefined && this.time(timestamp.expires, "Expires") < now - this.skewMs) {
      throw stale(`the message expired at ${timestamp.expires} (wsu:Timestamp)`);
    }
    if (timestamp.created !== undefined && this.time(timestamp.created, "Created") > now + this.skewMs) {
      throw stale(`the wsu:Timestamp's Created (${timestamp.created}) is in the future`);
    }
  }

  /** Nonces remembered now (for tests and metrics). */
  get size(): number {
    return this.seen.size;
  }

  private time(text: string, what: string): number {
    const at = XSD_DATE_TIME.test(text) ? Date.parse(text) : Number.NaN;
    if (Number.isNaN(at)) throw stale(`${what} "${text}" is not an xsd:dateTime with a time zone`);
    return at;
  }

  private forgetExpired(now: number): void {
    for (const [key, until] of this.seen) if (until < now) this.seen.delete(key);
  }
}

function stale(message: string): SoapFault {
  return new SoapFault(Code.Unauthenticated, `wsse:Security: ${message}`);
}
