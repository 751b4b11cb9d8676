import type { Database } from "@switchboard/database";
import { Authenticator } from "./domain/authenticator.js";
import { LoginThrottle, type ThrottleLimits } from "./domain/login-throttle.js";
import { DummyHash } from "./domain/passwords.js";
import { ServiceClients } from "./domain/service-clients.js";
import { SigningKeys } from "./domain/signing-keys.js";
import { TokenIssuer } from "./domain/token-issuer.js";
import { CredentialStore } from "./store/credential-store.js";
import { RefreshTokenStore } from "./store/refresh-token-store.js";
import { SigningKeyStore } from "./store/signing-key-store.js";

/** How user-service issues and checks identities; every field has the default its config.ts documents. */
export interface IdentityOptions {
  accessTokenTtlSeconds?: number;
  refreshTokenTtlSeconds?: number;
  signingKeyRotationSeconds?: number;
  /** SERVICE_CLIENTS: name → secret, for GetServiceToken. */
  serviceClients?: ReadonlyMap<string, string>;
  loginLimits?: ThrottleLimits;
  /** The time the signing keys rotate by (default Date.now). */
  clock?: () => number;
}

export const IDENTITY_DEFAULTS = {
  accessTokenTtlSeconds: 900,
  refreshTokenTtlSeconds: 14 * 24 * 3600,
  signingKeyRotationSeconds: 24 * 3600,
  loginLimits: { perAccount: 5, perClient: 100, windowMs: 15 * 60_000 },
} as const;

/** The identity parts of user-service over its database: keys, issuer, authenticator. */
export function buildIdentity(db: Database, options: IdentityOptions = {}) {
  const accessTokenTtlSeconds = options.accessTokenTtlSeconds ?? IDENTITY_DEFAULTS.accessTokenTtlSeconds;
  const keys = new SigningKeys({
    store: new SigningKeyStore(db),
    rotateEveryMs: (options.signingKeyRotationSeconds ?? IDENTITY_DEFAULTS.signingKeyRotationSeconds) * 1000,
    tokenTtlMs: accessTokenTtlSeconds * 1000,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const issuer = new TokenIssuer(keys, accessTokenTtlSeconds);
  const credentials = new CredentialStore();
  const authenticator = new Authenticator({
    db,
    credentials,
    refreshTokens: new RefreshTokenStore(),
    issuer,
    throttle: new LoginThrottle(options.loginLimits ?? IDENTITY_DEFAULTS.loginLimits),
    dummyHash: new DummyHash(),
    serviceClients: new ServiceClients(options.serviceClients ?? new Map()),
    refreshTokenTtlSeconds: options.refreshTokenTtlSeconds ?? IDENTITY_DEFAULTS.refreshTokenTtlSeconds,
  });
  return { keys, issuer, credentials, authenticator };
}
