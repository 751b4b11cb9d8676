/**
 * Turns a UsernameToken's PasswordText into an access token by logging in with AuthService.Login
 * (the Username is the email). A SOAP client sends its password on every request, so the access
 * token is kept briefly, keyed by a hash of the credential (the password itself is never kept or
 * logged): a burst of calls costs one login, not one scrypt each — concurrent ones too. A failed
 * login is not cached.
 */
import { createHash } from "node:crypto";

export type Login = (
  email: string,
  password: string,
  signal: AbortSignal,
) => Promise<{ accessToken: string; expiresIn: number }>;

export interface PasswordLoginOptions {
  login: Login;
  /** Longest a token is reused (it is also dropped 30 s before it expires). */
  cacheSeconds?: number;
  maxEntries?: number;
  now?: () => number;
}

export class PasswordLogin {
  private readonly cache = new Map<string, { token: string; until: number }>();
  private readonly pending = new Map<string, Promise<string>>();
  private readonly cacheMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(private readonly options: PasswordLoginOptions) {
    this.cacheMs = (options.cacheSeconds ?? 60) * 1000;
    this.maxEntries = options.maxEntries ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  async accessToken(email: string, password: string, signal: AbortSignal): Promise<string> {
    const key = createHash("sha256").update(email).update("\0").update(password).digest("base64");
    const cached = this.cache.get(key);
    if (cached && cached.until > this.now()) return cached.token;
    this.cache.delete(key);
    // Calls arriving together with one credential share one login (its signal: the first caller's).
    let login = this.pending.get(key);
    if (!login) {
      login = this.logIn(key, email, password, signal).finally(() => this.pending.delete(key));
      this.pending.set(key, login);
    }
    return login;
  }

  private async logIn(key: string, email: string, password: string, signal: AbortSignal): Promise<string> {
    const { accessToken, expiresIn } = await this.options.login(email, password, signal);
    const now = this.now();
    const until = Math.min(now + this.cacheMs, now + (expiresIn - 30) * 1000);
    if (until > now) {
      if (this.cache.size >= this.maxEntries) this.forgetExpired(now);
      if (this.cache.size >= this.maxEntries) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(key, { token: accessToken, until });
    }
    return accessToken;
  }

  private forgetExpired(now: number): void {
    for (const [key, entry] of this.cache) if (entry.until <= now) this.cache.delete(key);
  }
}
