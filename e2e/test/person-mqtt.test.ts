/**
 * A person's own MQTT client, as the README tells one to connect: sign up, log in, ask
 * AuthService.GetMqttCredentials, then subscribe with them — its own notifications arrive, another
 * person's topic is refused. Needs the broker infra/ runs (dynamic-security, no anonymous clients).
 */
import { randomUUID } from "node:crypto";
import { fromBinary } from "@bufbuild/protobuf";
import { AuthService } from "@switchboard/proto/switchboard/auth/v1/auth_service_pb.js";
import { NotificationSchema } from "@switchboard/proto/switchboard/notification/v1/notification_pb.js";
import { NotificationService } from "@switchboard/proto/switchboard/notification/v1/notification_service_pb.js";
import { UserService } from "@switchboard/proto/switchboard/user/v1/user_service_pb.js";
import mqtt from "mqtt";
import { describe, expect, it } from "vitest";
import { clientOf, eventually, system } from "./system.js";

const auth = clientOf(AuthService, system.users);
const users = clientOf(UserService, system.users);
const notifications = clientOf(NotificationService, system.notifications);
const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

async function login(email: string, password: string): Promise<string> {
  const { tokens } = await auth.login({ email, password });
  if (!tokens) throw new Error("no tokens");
  return tokens.accessToken;
}

async function signUp() {
  const email = `e2e.mqtt.${randomUUID().slice(0, 8)}@example.com`;
  const password = `pw-${randomUUID()}`;
  const { user } = await users.createUser({ requestId: randomUUID(), name: "E2E MQTT", email, password });
  if (!user) throw new Error("no user");
  return { id: user.id, token: await login(email, password) };
}

describe("a person's MQTT client", () => {
  it("GetMqttCredentials → its own notifications arrive over MQTT; another person's topic is refused", async () => {
    const [person, other] = [await signUp(), await signUp()];
    const credentials = await auth.getMqttCredentials({}, bearer(person.token));
    expect(credentials).toMatchObject({
      username: person.id,
      topic: `switchboard/users/${person.id}/notifications`,
    });

    const client = await mqtt.connectAsync(system.mqtt, {
      protocolVersion: 5,
      clean: true,
      username: credentials.username,
      password: credentials.password,
    });
    try {
      const received: Buffer[] = [];
      client.on("message", (_topic, payload) => received.push(payload));
      const [own] = await client.subscribeAsync(credentials.topic, { qos: 1 });
      const [foreign] = await client.subscribeAsync(`switchboard/users/${other.id}/notifications`, {
        qos: 1,
      });
      expect(own?.qos).toBe(1);
      expect(foreign?.qos).toBe(0x87); // MQTT 5 SUBACK: not authorized

      const admin = await login(
        process.env.SWITCHBOARD_ADMIN_EMAIL ?? "admin@example.com",
        process.env.SWITCHBOARD_ADMIN_PASSWORD ?? "switchboard-admin",
      );
      const title = `hello ${randomUUID().slice(0, 8)}`;
      await notifications.sendNotification({ userId: person.id, title, body: "" }, bearer(admin));
      const delivered = await eventually(() =>
        received.map((payload) => fromBinary(NotificationSchema, payload)).find((n) => n.title === title),
      );
      expect(delivered.userId).toBe(person.id);
    } finally {
      await client.endAsync();
    }
  });

  it("refuses the broker login with the previous password once new credentials were asked for", async () => {
    const person = await signUp();
    const first = await auth.getMqttCredentials({}, bearer(person.token));
    await auth.getMqttCredentials({}, bearer(person.token));
    await expect(
      mqtt.connectAsync(system.mqtt, {
        protocolVersion: 5,
        username: first.username,
        password: first.password,
        reconnectPeriod: 0,
      }),
    ).rejects.toThrow(/Not authorized|Bad User Name or Password/i);
  });
});
