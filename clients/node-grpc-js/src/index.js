import { channelCredentials } from "./credentials.js";
import { loadContracts } from "./load.js";

export { channelCredentials } from "./credentials.js";
export { loadContracts } from "./load.js";

/**
 * Stock grpc-js stubs for every Switchboard service. Addresses default to the ports `pnpm start`
 * uses; `tls` takes { caFile, certFile?, keyFile? }.
 */
export function connect({
  users = "localhost:50051",
  images = "localhost:50052",
  notifications = "localhost:50053",
  tls,
} = {}) {
  const contracts = loadContracts();
  const credentials = channelCredentials(tls);
  const options = { "grpc.max_receive_message_length": 8 * 1024 * 1024 };
  return {
    users: new contracts.switchboard.user.v1.UserService(users, credentials, options),
    images: new contracts.switchboard.image.v1.ImageService(images, credentials, options),
    notifications: new contracts.switchboard.notification.v1.NotificationService(
      notifications,
      credentials,
      options,
    ),
    usuario: new contracts.user.UsuarioServicio(users, credentials, options),
    close() {
      for (const client of [this.users, this.images, this.notifications, this.usuario]) client.close();
    },
  };
}

/**
 * connect() with addresses and TLS from the environment: SWITCHBOARD_USERS_ADDR, SWITCHBOARD_IMAGES_ADDR,
 * SWITCHBOARD_NOTIFICATIONS_ADDR, and SWITCHBOARD_CA_FILE (+ SWITCHBOARD_CERT_FILE, SWITCHBOARD_KEY_FILE).
 */
export function connectFromEnv(env = process.env) {
  return connect({ ...addressesFromEnv(env), tls: tlsFromEnv(env) });
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

/** Calls a unary method with a deadline, as a promise. */
export function call(client, method, request, { timeoutMs = 5_000 } = {}) {
  return new Promise((resolve, reject) => {
    client[method](request, { deadline: Date.now() + timeoutMs }, (error, response) =>
      error ? reject(error) : resolve(response),
    );
  });
}

/** Sends every item of `requests` on a client stream and resolves with the single response. */
export function callClientStream(client, method, requests, { timeoutMs = 30_000 } = {}) {
  return new Promise((resolve, reject) => {
    const stream = client[method]({ deadline: Date.now() + timeoutMs }, (error, response) =>
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

/** Starts a server stream with a deadline; iterate it with `for await`. */
export function callServerStream(client, method, request, { timeoutMs = 30_000 } = {}) {
  return client[method](request, { deadline: Date.now() + timeoutMs });
}

/**
 * Starts a bidi stream with a deadline, writing every item of `requests` (respecting back-pressure)
 * while the caller reads the answers with `for await`; ends its side when `requests` runs out.
 */
export function callBidi(client, method, requests, { timeoutMs = 30_000 } = {}) {
  const stream = client[method]({ deadline: Date.now() + timeoutMs });
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
