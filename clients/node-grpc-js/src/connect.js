// Stubs for every service, plaintext or (mutual) TLS, and a login's bearer token on every call.
import * as grpc from "@grpc/grpc-js";
import { bearerCallCredentials, bearerMetadata, channelCredentials } from "./credentials.js";
import { loadContracts } from "./load.js";
import { Session } from "./session.js";

/** Per stub, in plaintext: the token each call must carry as metadata (TLS: the credentials carry it). */
const perCallTokens = new WeakMap();

/**
 * Stock grpc-js stubs for every Switchboard service. Addresses default to the ports `pnpm start`
 * uses; `tls` takes { caFile, certFile?, keyFile? }; `token` (() => string | Promise<string>) is sent
 * as `authorization: Bearer …` on every call: under TLS by call credentials composed into the
 * channel credentials, in plaintext as per-call metadata (metadataFor; the helpers below add it).
 */
export function connect({
  users = "localhost:50051",
  images = "localhost:50052",
  notifications = "localhost:50053",
  tls,
  token,
} = {}) {
  const contracts = loadContracts();
  const secure = channelCredentials(tls);
  const credentials =
    token && tls ? grpc.credentials.combineChannelCredentials(secure, bearerCallCredentials(token)) : secure;
  const options = { "grpc.max_receive_message_length": 8 * 1024 * 1024 };
  const stubs = {
    users: new contracts.switchboard.user.v1.UserService(users, credentials, options),
    images: new contracts.switchboard.image.v1.ImageService(images, credentials, options),
    notifications: new contracts.switchboard.notification.v1.NotificationService(
      notifications,
      credentials,
      options,
    ),
    usuario: new contracts.user.UsuarioServicio(users, credentials, options),
    auth: new contracts.switchboard.auth.v1.AuthService(users, credentials, options),
  };
  if (token && !tls) for (const stub of Object.values(stubs)) perCallTokens.set(stub, token);
  return {
    ...stubs,
    close() {
      for (const client of Object.values(stubs)) client.close();
    },
  };
}

/**
 * Logs in (AuthService.Login) and returns connect()'s stubs sending that login's access token,
 * refreshed before it expires; `session` is the login. Rejects with the gRPC error
 * (UNAUTHENTICATED) on a wrong email or password.
 */
export async function connectAs({ email, password }, options = {}) {
  const anonymous = connect({ ...options, token: undefined });
  try {
    const session = await Session.login(anonymous.auth, { email, password });
    const clients = connect({ ...options, token: () => session.accessToken() });
    return {
      ...clients,
      session,
      close() {
        clients.close();
        anonymous.close();
      },
    };
  } catch (error) {
    anonymous.close();
    throw error;
  }
}

/**
 * The metadata a call on `client` must carry: the bearer token in plaintext, nothing under TLS
 * (the channel's call credentials add it). For calling a stub directly: `stub.Method(req, await metadataFor(stub))`.
 */
export function metadataFor(client) {
  const token = perCallTokens.get(client);
  return token ? bearerMetadata(token) : Promise.resolve(new grpc.Metadata());
}

/**
 * connect() with addresses and TLS from the environment: SWITCHBOARD_USERS_ADDR, SWITCHBOARD_IMAGES_ADDR,
 * SWITCHBOARD_NOTIFICATIONS_ADDR, and SWITCHBOARD_CA_FILE (+ SWITCHBOARD_CERT_FILE, SWITCHBOARD_KEY_FILE).
 */
export function connectFromEnv(env = process.env) {
  return connect({ ...addressesFromEnv(env), tls: tlsFromEnv(env) });
}

/** connectAs() with addresses and TLS from the environment (see connectFromEnv). */
export function connectAsFromEnv(credentials, env = process.env) {
  return connectAs(credentials, { ...addressesFromEnv(env), tls: tlsFromEnv(env) });
}

/** The services' addresses: the environment's, or `pnpm start`'s ports. */
export function addressesFromEnv(env = process.env) {
  return {
    users: env.SWITCHBOARD_USERS_ADDR || "localhost:50051",
    images: env.SWITCHBOARD_IMAGES_ADDR || "localhost:50052",
    notifications: env.SWITCHBOARD_NOTIFICATIONS_ADDR || "localhost:50053",
  };
}

/** TLS files from the environment, or undefined for plaintext. */
export function tlsFromEnv(env = process.env) {
  if (!env.SWITCHBOARD_CA_FILE) return undefined;
  return {
    caFile: env.SWITCHBOARD_CA_FILE,
    certFile: env.SWITCHBOARD_CERT_FILE,
    keyFile: env.SWITCHBOARD_KEY_FILE,
  };
}
