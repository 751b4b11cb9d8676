import * as grpc from "@grpc/grpc-js";
import { bearerCallCredentials, bearerMetadata, channelCredentials } from "./credentials.js";
import { loadContracts } from "./load.js";
import { Session } from "./session.js";

export { bearerCallCredentials, bearerMetadata, channelCredentials } from "./credentials.js";
export { loadContracts } from "./load.js";
export { adminCredentialsFromEnv, REFRESH_MARGIN_MS, Session } from "./session.js";

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

/** Calls a unary method with a deadline (and the client's token), as a promise. */
export async function call(client, method, request, { timeoutMs = 5_000 } = {}) {
  const metadata = await metadataFor(client);
  return new Promise((resolve, reject) => {
    client[method](request, metadata, { deadline: Date.now() + timeoutMs }, (error, response) =>
      error ? reject(error) : resolve(response),
    );
  });
}

/** Sends every item of `requests` on a client stream and resolves with the single response. */
export async function callClientStream(client, method, requests, { timeoutMs = 30_000 } = {}) {
  const metadata = await metadataFor(client);
  return new Promise((resolve, reject) => {
    const stream = client[method](metadata, { deadline: Date.now() + timeoutMs }, (error, response) =>
      error ? reject(error) : resolve(response),
    );
    (async () => {
      for await (const request of requests) {
        if (!stream.write(request)) await new Promise((drained) => stream.once("drain", drained));
      }
      stream.end();
    })().catch((error) => {
      stream.cancel();
      reject(error);
    });
  });
}

/** Starts a server stream with a deadline; resolves with the stream (iterate it with `for await`). */
export async function callServerStream(client, method, request, { timeoutMs = 30_000 } = {}) {
  return client[method](request, await metadataFor(client), { deadline: Date.now() + timeoutMs });
}

/**
 * Starts a bidi stream with a deadline, writing every item of `requests` (respecting back-pressure)
 * while the caller reads the answers with `for await`; ends its side when `requests` runs out.
 * Resolves with the stream once the call has started.
 */
export async function callBidi(client, method, requests, { timeoutMs = 30_000 } = {}) {
  const stream = client[method](await metadataFor(client), { deadline: Date.now() + timeoutMs });
  (async () => {
    for await (const request of requests) {
      if (!stream.write(request)) await new Promise((drained) => stream.once("drain", drained));
    }
    stream.end();
  })().catch(() => stream.cancel());
  return stream;
}

/** Splits bytes into chunks of `size` (64 KiB by default), as every chunked upload does. */
export function* chunks(bytes, size = 64 * 1024) {
  for (let offset = 0; offset < bytes.length; offset += size) yield bytes.subarray(offset, offset + size);
}
