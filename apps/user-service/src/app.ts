import { type Client, createClient, createRouterTransport } from "@connectrpc/connect";
import { Outbox } from "@switchboard/messaging";
import { AuthService } from "@switchboard/proto/switchboard/auth/v1/auth_service_pb.js";
import type { ImageService } from "@switchboard/proto/switchboard/image/v1/image_service_pb.js";
import { UserService } from "@switchboard/proto/switchboard/user/v1/user_service_pb.js";
import { UsuarioServicio } from "@switchboard/proto/user/usuario_pb.js";
import {
  type AuthOptions,
  type Caller,
  callerKey,
  GrpcJsServer,
  type Logger,
  type ServerTls,
  TokenVerifier,
} from "@switchboard/runtime";
import { ensureFirstAdmin } from "./domain/first-admin.js";
import { ownServiceToken } from "./domain/token-issuer.js";
import { DEFAULT_USER_CACHE, UserCache, type UserCacheOptions } from "./domain/user-cache.js";
import { UserChanges } from "./domain/user-changes.js";
import { UserDirectory } from "./domain/user-directory.js";
import { AuthHandlers, type MqttCredentialsHandler } from "./handlers/auth-service.js";
import type { TrustedProxies } from "./handlers/login-client.js";
import { UserHandlers } from "./handlers/user-service.js";
import { UsuarioServicioHandlers } from "./handlers/usuario-servicio.js";
import { buildIdentity, type IdentityOptions } from "./identity.js";
import type { UserStore } from "./store/user-store.js";

/** This service's name: in its own service token (`service:user-service`) and its certificate. */
export const SERVICE_NAME = "user-service";
const SEED_SERVICE = UsuarioServicio.typeName;

export interface AppDeps {
  logger: Logger;
  store: UserStore;
  /** The outbox relay (or anything with wake()), told after each commit. */
  outbox: { wake(): void };
  source?: string;
  readMaxBytes?: number;
  tls?: ServerTls;
  /**
   * image-service, given the token to call it with (user-service's own service token, minted in
   * process): with it, the seed contract user.UsuarioServicio is served beside UserService.
   */
  images?: (serviceToken: () => Promise<string>) => Client<typeof ImageService>;
  /** SEED_CONTRACT: "open" (default) serves the seed contract to anyone, as it always was; "off" not at all. */
  seedContract?: "open" | "off";
  identity?: IdentityOptions;
  /**
   * Verifies callers' tokens. Default: user-service's own signing keys, in process. Tests running
   * several services on one test key pass testing's testTokens().verifier.
   */
  verifier?: TokenVerifier;
  /** Services admitted by their client certificate (mTLS) for the rpcs listed. */
  servicePeers?: AuthOptions["servicePeers"];
  /** AuthService.GetMqttCredentials (UNIMPLEMENTED without it). */
  mqttCredentials?: MqttCredentialsHandler;
  /** Gateways whose `x-forwarded-for` names the client for the login throttle. */
  trustedProxies?: TrustedProxies;
  /** GetUser's read-through cache (domain/user-cache.ts); default 1 s, 10,000 users; ttlMs 0: none. */
  userCache?: UserCacheOptions;
}

/** Builds user-service's gRPC server from its dependencies. Never listens: main.ts and tests do. */
export function buildApp(deps: AppDeps) {
  const changes = new UserChanges();
  const outbox = new Outbox(deps.store.db, {
    source: deps.source ?? "/switchboard/user-service",
    relay: deps.outbox,
  });
  const cache = new UserCache(deps.userCache ?? DEFAULT_USER_CACHE);
  const users = new UserDirectory({ store: deps.store, outbox, changes, cache });
  const identity = buildIdentity(deps.store.db, deps.identity);
  const handlers = new UserHandlers({ users, changes });
  const auth = new AuthHandlers({
    authenticator: identity.authenticator,
    keys: identity.keys,
    ...(deps.mqttCredentials ? { mqttCredentials: deps.mqttCredentials } : {}),
    ...(deps.trustedProxies ? { trustedProxies: deps.trustedProxies } : {}),
  });
  const seedServed = deps.images !== undefined && deps.seedContract !== "off";
  const server = new GrpcJsServer({
    logger: deps.logger,
    ...(deps.readMaxBytes ? { readMaxBytes: deps.readMaxBytes } : {}),
    ...(deps.tls ? { tls: deps.tls } : {}),
    auth: {
      verifier: deps.verifier ?? new TokenVerifier({ keys: identity.keys }),
      ...(deps.servicePeers ? { servicePeers: deps.servicePeers } : {}),
      // The seed contract has no way to carry a token: open, as it always was (or not served).
      openServices: seedServed ? [SEED_SERVICE] : [],
    },
    routes: (router) => {
      router.service(UserService, handlers);
      router.service(AuthService, auth);
      if (deps.images && seedServed) {
        const images = deps.images(ownServiceToken(identity.issuer, SERVICE_NAME));
        const seed = new UsuarioServicioHandlers({
          users: seedUsersClient(handlers),
          images,
          logger: deps.logger,
        });
        router.service(UsuarioServicio, seed);
      }
    },
  });
  return {
    server,
    handlers,
    changes,
    /** GetUser's cache (tests look at its size). */
    cache,
    /** The signing keys and token issuer (tests mint tokens with it, as Login would). */
    keys: identity.keys,
    issuer: identity.issuer,
    /** Forgets expired refresh tokens (main.ts, now and then). */
    pruneRefreshTokens: (expiredBefore?: Date) => identity.authenticator.pruneRefreshTokens(expiredBefore),
    /** Makes the first admin if there is none (main.ts, at every start). */
    ensureFirstAdmin: (admin: { email: string; password: string }) =>
      ensureFirstAdmin({ db: deps.store.db, users, credentials: identity.credentials }, admin),
  };
}

/** The seed contract's callers have no identity: it reads users as user-service itself. */
const SEED_CALLER: Caller = Object.freeze({ kind: "service", service: SERVICE_NAME });

/** UserService in process, through its own contract, called as user-service (users may be read by services). */
function seedUsersClient(handlers: UserHandlers): Client<typeof UserService> {
  return createClient(
    UserService,
    createRouterTransport((local) => local.service(UserService, handlers), {
      router: {
        interceptors: [
          (next) => (request) => {
            request.contextValues.set(callerKey, SEED_CALLER);
            return next(request);
          },
        ],
      },
    }),
  );
}
