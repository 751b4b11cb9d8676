import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import type { DescService } from "@bufbuild/protobuf";
import { AuthService } from "@switchboard/proto/switchboard/auth/v1/auth_service_pb.js";
import { ImageService } from "@switchboard/proto/switchboard/image/v1/image_service_pb.js";
import { NotificationService } from "@switchboard/proto/switchboard/notification/v1/notification_service_pb.js";
import type { User } from "@switchboard/proto/switchboard/user/v1/user_pb.js";
import { UserService } from "@switchboard/proto/switchboard/user/v1/user_service_pb.js";
import { type ClientTls, createServiceClient } from "@switchboard/runtime";
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";

/**
 * TLS for a system started with `pnpm start --tls`: the CA in SWITCHBOARD_CA_FILE, and the client
 * certificate in SWITCHBOARD_CERT_FILE and SWITCHBOARD_KEY_FILE (mutual TLS). Undefined: plaintext.
 */
const tls: ClientTls | undefined = process.env.SWITCHBOARD_CA_FILE
  ? {
      ca: readFileSync(process.env.SWITCHBOARD_CA_FILE),
      ...(process.env.SWITCHBOARD_CERT_FILE && process.env.SWITCHBOARD_KEY_FILE
        ? {
            cert: readFileSync(process.env.SWITCHBOARD_CERT_FILE),
            key: readFileSync(process.env.SWITCHBOARD_KEY_FILE),
          }
        : {}),
    }
  : undefined;
const scheme = tls ? "https" : "http";

/** Where the running system is: `pnpm start`'s defaults, or SWITCHBOARD_* variables. */
export const system = {
  users: process.env.SWITCHBOARD_USER_URL ?? `${scheme}://127.0.0.1:50051`,
  images: process.env.SWITCHBOARD_IMAGE_URL ?? `${scheme}://127.0.0.1:50052`,
  notifications: process.env.SWITCHBOARD_NOTIFICATION_URL ?? `${scheme}://127.0.0.1:50053`,
  mqtt: process.env.SWITCHBOARD_MQTT_URL ?? "mqtt://127.0.0.1:1883",
};

/**
 * A Connect client (gRPC protocol) of a running service, over TLS when the system serves it, sending
 * `token` as `authorization: Bearer …` when given one. No retries: the flows see what a client sees.
 */
export const clientOf = <T extends DescService>(
  service: T,
  url: string,
  token?: () => string | Promise<string>,
) =>
  createServiceClient(service, {
    baseUrl: url,
    timeoutMs: 30_000,
    maxAttempts: 1,
    ...(tls ? { tls } : {}),
    ...(token ? { token } : {}),
  });

/** The dev admin, as `pnpm start` creates it (SWITCHBOARD_ADMIN_EMAIL / SWITCHBOARD_ADMIN_PASSWORD). */
export const adminLogin = {
  email: process.env.SWITCHBOARD_ADMIN_EMAIL ?? "admin@example.com",
  password: process.env.SWITCHBOARD_ADMIN_PASSWORD ?? "switchboard-admin",
};

/** Anonymous clients: sign-up (CreateUser), login and the seed contract answer them. */
export const anonymous = {
  users: clientOf(UserService, system.users),
  auth: clientOf(AuthService, system.users),
};

/** Clients of every service carrying one login's access token (a flow is over long before it expires). */
export type Session = Awaited<ReturnType<typeof logIn>>;

/** AuthService.Login, then clients of every service that send its access token. */
export async function logIn(credentials: { email: string; password: string }) {
  const { tokens } = await anonymous.auth.login(credentials);
  if (!tokens) throw new Error("the login answered without tokens");
  const token = () => tokens.accessToken;
  return {
    subject: tokens.subject,
    tokens,
    users: clientOf(UserService, system.users, token),
    images: clientOf(ImageService, system.images, token),
    notifications: clientOf(NotificationService, system.notifications, token),
    auth: clientOf(AuthService, system.users, token),
  };
}

/** A new user, signed up with a password (anonymous CreateUser, role "user") and logged in. */
export async function signUp(prefix = "E2E"): Promise<Session & { user: User; password: string }> {
  const tag = randomUUID().slice(0, 8);
  const password = `e2e-${randomUUID()}`;
  const { user } = await anonymous.users.createUser({
    requestId: randomUUID(),
    name: `${prefix} ${tag}`,
    email: `${prefix.toLowerCase()}.${tag}@example.com`,
    password,
  });
  if (!user) throw new Error("no user");
  return { ...(await logIn({ email: user.email, password })), user, password };
}

/**
 * The MQTT account the flows watch every user's topic with: the broker's operator account
 * (SWITCHBOARD_MQTT_USERNAME / SWITCHBOARD_MQTT_PASSWORD, defaults admin / switchboard-admin as
 * infra/mosquitto/accounts.sh sets it up). A person uses AuthService.GetMqttCredentials instead.
 */
export const mqttOperator = {
  username: process.env.SWITCHBOARD_MQTT_USERNAME ?? "admin",
  password: process.env.SWITCHBOARD_MQTT_PASSWORD ?? "switchboard-admin",
};

/** An MQTT 5 subscriber that keeps every message of `topic` (wildcards allowed); a refused subscription throws. */
export async function mqttListener(
  topic: string,
  account: { username: string; password: string } = mqttOperator,
) {
  const options: IClientOptions = { protocolVersion: 5, clean: true, ...account };
  const client: MqttClient = await mqtt.connectAsync(system.mqtt, options);
  const messages: { topic: string; payload: Buffer; properties: Record<string, unknown> }[] = [];
  client.on("message", (messageTopic, payload, packet) => {
    messages.push({
      topic: messageTopic,
      payload,
      properties: { ...(packet.properties?.userProperties ?? {}) },
    });
  });
  try {
    await client.subscribeAsync(topic, { qos: 1 }); // a refusal rejects, with the SUBACK (error.packet.granted)
  } catch (error) {
    await client.endAsync();
    throw error;
  }
  return { messages, close: () => client.endAsync() };
}

/** Polls `check` until it returns a value (or fails after `timeoutMs`). */
export async function eventually<T>(
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
