import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { Database } from "@switchboard/database";
import { type Caller, invalidInput, isAdmin } from "@switchboard/runtime";
import type { CredentialRow, CredentialStore } from "../store/credential-store.js";
import type { RefreshTokenStore } from "../store/refresh-token-store.js";
import { AccessDeniedError, NotAuthenticatedError, UserNotFoundError } from "./errors.js";
import type { LoginThrottle } from "./login-throttle.js";
import { type DummyHash, hashPassword, verifyPassword } from "./passwords.js";
import type { ServiceClients } from "./service-clients.js";
import type { TokenIssuer } from "./token-issuer.js";

/** The tokens of a login, a refresh or a service (auth.v1.Tokens). */
export interface IssuedTokens {
  accessToken: string;
  tokenType: "Bearer";
  expiresIn: number;
  /** Empty for service tokens. */
  refreshToken: string;
  subject: string;
}

export interface AuthenticatorDeps {
  db: Database;
  credentials: CredentialStore;
  refreshTokens: RefreshTokenStore;
  issuer: TokenIssuer;
  throttle: LoginThrottle;
  dummyHash: DummyHash;
  serviceClients: ServiceClients;
  refreshTokenTtlSeconds: number;
}

const WRONG_CREDENTIALS = "wrong email or password";

/**
 * Logins, refresh tokens, password changes and service tokens: who a caller is, and the tokens
 * that say so. Refresh tokens are random, stored only as their SHA-256, single use, and rotated
 * within a family (one per login): a used one presented again revokes the whole family.
 */
export class Authenticator {
  constructor(private readonly deps: AuthenticatorDeps) {}

  /**
   * The same answer, after about the same work, for an unknown email, a user without a password
   * and a wrong password. `client` is the caller's address, for the throttle.
   */
  async login(email: string, password: string, client: string): Promise<IssuedTokens> {
    const { throttle } = this.deps;
    throttle.check(email, client);
    // Counted before checking, so parallel guesses cannot all slip under the limit; forgiven on success.
    throttle.failed(email, client);
    const user = await this.deps.credentials.byEmail(this.deps.db, email);
    const matches = await this.#passwordMatches(user, password);
    if (!user || !matches) throw new NotAuthenticatedError(WRONG_CREDENTIALS);
    throttle.forgive(email, client);
    return this.#startLogin(user);
  }

  /** A new pair for a current refresh token; the old one is used up. */
  async refresh(refreshToken: string): Promise<IssuedTokens> {
    const { db, refreshTokens, credentials } = this.deps;
    const now = new Date();
    const outcome = await db.transaction(async (tx) => {
      const row = await refreshTokens.lock(tx, digest(refreshToken));
      if (!row) return { failure: "unknown refresh token" };
      if (row.revoked_at) return { failure: "refresh token revoked" };
      if (row.used_at) {
        // A used token again: a stolen copy being replayed (or the thief's earlier use was). End the whole login.
        await refreshTokens.revokeFamily(tx, row.family_id, now);
        return { failure: "refresh token already used: every token of this login is revoked" };
      }
      if (new Date(row.expires_at) <= now) return { failure: "refresh token expired" };
      await refreshTokens.markUsed(tx, row.token_hash, now);
      const user = await credentials.byId(tx, row.user_id);
      if (!user) return { failure: "unknown refresh token" };
      const next = await this.#newRefreshToken(tx, user.id, row.family_id, now);
      return { user, next };
    });
    if ("failure" in outcome) throw new NotAuthenticatedError(outcome.failure as string);
    return this.#tokens(outcome.user, outcome.next);
  }

  /** Ends the login of this refresh token (every token of its family). Unknown or already ended: nothing to do. */
  async logout(refreshToken: string): Promise<void> {
    const { db, refreshTokens } = this.deps;
    await db.transaction(async (tx) => {
      const row = await refreshTokens.lock(tx, digest(refreshToken));
      if (row) await refreshTokens.revokeFamily(tx, row.family_id, new Date());
    });
  }

  /**
   * Sets a user's password: the user itself, with its current password, or an admin without it.
   * Every refresh token of that user is revoked.
   */
  async changePassword(
    caller: Caller,
    change: { userId: string; currentPassword: string; newPassword: string },
    client: string,
  ): Promise<void> {
    if (caller.kind === "anonymous") throw new NotAuthenticatedError("a bearer token is required");
    const userId = change.userId.toLowerCase();
    const admin = isAdmin(caller);
    const self = caller.kind === "user" && caller.userId.toLowerCase() === userId;
    if (!admin && !self)
      throw new AccessDeniedError(`changing the password of user ${userId} is for that user or an admin`);
    if (!admin) await this.#checkCurrentPassword(userId, change.currentPassword, client);
    const passwordHash = await hashPassword(change.newPassword);
    const { db, credentials, refreshTokens } = this.deps;
    await db.transaction(async (tx) => {
      if (!(await credentials.setPassword(tx, userId, passwordHash))) {
        throw new UserNotFoundError(`user ${userId} not found`);
      }
      await refreshTokens.revokeUser(tx, userId, new Date());
    });
  }

  /** A service's token for its client credentials (SERVICE_CLIENTS); no refresh token. */
  async serviceToken(clientId: string, clientSecret: string, client: string): Promise<IssuedTokens> {
    const account = `service:${clientId}`;
    this.deps.throttle.check(account, client);
    this.deps.throttle.failed(account, client);
    if (!this.deps.serviceClients.verify(clientId, clientSecret)) {
      throw new NotAuthenticatedError("unknown client or wrong secret");
    }
    this.deps.throttle.forgive(account, client);
    const access = await this.deps.issuer.forService(clientId);
    return {
      accessToken: access.token,
      tokenType: "Bearer",
      expiresIn: access.expiresIn,
      refreshToken: "",
      subject: access.subject,
    };
  }

  async #checkCurrentPassword(userId: string, currentPassword: string, client: string): Promise<void> {
    if (!currentPassword) {
      throw invalidInput([
        { field: "current_password", description: "is required to change your own password" },
      ]);
    }
    const { throttle } = this.deps;
    throttle.check(userId, client);
    throttle.failed(userId, client);
    const user = await this.deps.credentials.byId(this.deps.db, userId);
    if (!(await this.#passwordMatches(user, currentPassword))) {
      throw new NotAuthenticatedError("the current password is wrong");
    }
    throttle.forgive(userId, client);
  }

  async #passwordMatches(user: CredentialRow | undefined, password: string): Promise<boolean> {
    if (!user?.password_hash) return this.deps.dummyHash.reject(password);
    return verifyPassword(password, user.password_hash);
  }

  async #startLogin(user: CredentialRow): Promise<IssuedTokens> {
    const refreshToken = await this.#newRefreshToken(this.deps.db, user.id, randomUUID(), new Date());
    return this.#tokens(user, refreshToken);
  }

  async #newRefreshToken(
    q: Parameters<RefreshTokenStore["insert"]>[0],
    userId: string,
    familyId: string,
    now: Date,
  ): Promise<string> {
    const token = randomBytes(32).toString("base64url");
    const expiresAt = new Date(now.getTime() + this.deps.refreshTokenTtlSeconds * 1000);
    await this.deps.refreshTokens.insert(q, { tokenHash: digest(token), familyId, userId, now, expiresAt });
    return token;
  }

  async #tokens(user: CredentialRow, refreshToken: string): Promise<IssuedTokens> {
    const access = await this.deps.issuer.forUser(user.id, user.roles);
    return {
      accessToken: access.token,
      tokenType: "Bearer",
      expiresIn: access.expiresIn,
      refreshToken,
      subject: access.subject,
    };
  }
}

/** Refresh tokens are stored by this digest only. */
function digest(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}
