import { randomUUID } from "node:crypto";
import { Code } from "@connectrpc/connect";
import type { Database } from "@switchboard/database";
import {
  DynamicSecurity,
  eventRegistry,
  MqttBroker,
  notificationTopic,
  PersonAccounts,
} from "@switchboard/messaging";
import { AuthService } from "@switchboard/proto/switchboard/auth/v1/auth_service_pb.js";
import { UserService } from "@switchboard/proto/switchboard/user/v1/user_service_pb.js";
import {
  callError,
  type MosquittoSub,
  memoryLogger,
  type PrivateMosquitto,
  spawnMosquittoSub,
  startPrivateMosquitto,
} from "@switchboard/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { removeMqttAccountsOfDeletedUsers } from "../src/domain/mqtt-credentials.js";
import { mqttCredentialsHandler } from "../src/handlers/mqtt-credentials.js";
import { UserStore } from "../src/store/user-store.js";
import { migratedDatabase, startUserService } from "./harness.js";

// user-service wired as main.ts wires it, against a Mosquitto of this file's own (infra/brokers.sh:
// dynamic-security, no anonymous clients), checked with the real mosquitto_sub.
let broker: PrivateMosquitto;
let db: Database;
let dynsec: DynamicSecurity;
let service: Awaited<ReturnType<typeof startUserService>>;
let notifier: MqttBroker;
let stopRemoving: () => void;
const subscribers: MosquittoSub[] = [];
const NOT_AUTHORIZED = 135;

beforeAll(async () => {
  broker = await startPrivateMosquitto();
  db = await migratedDatabase();
  dynsec = new DynamicSecurity({
    url: broker.url,
    account: broker.serviceAccount("user-service"),
    clientId: `user-service-accounts-${randomUUID().slice(0, 8)}`,
  });
  const accounts = new PersonAccounts(dynsec);
  const store = new UserStore(db);
  service = await startUserService(db, {
    mqttCredentials: mqttCredentialsHandler({
      accounts,
      userExists: async (userId) => (await store.get(db, userId)) !== undefined,
    }),
  });
  stopRemoving = removeMqttAccountsOfDeletedUsers(service.changes, accounts, memoryLogger("silent").logger);
  notifier = new MqttBroker({
    url: broker.url,
    account: broker.serviceAccount("notification-service"),
    clientId: `notification-service-${randomUUID().slice(0, 8)}`,
    clean: true,
    source: "/switchboard/notification-service",
    registry: eventRegistry,
    logger: memoryLogger("silent").logger,
  });
}, 60_000);
afterEach(async () => {
  await Promise.all(subscribers.splice(0).map((subscriber) => subscriber.stop()));
});
afterAll(async () => {
  stopRemoving?.();
  await Promise.allSettled([notifier?.close(), dynsec?.close(), service?.close()]);
  await db?.close();
  await broker?.stop();
});

/** Signs up and logs in, as a person would; its AuthService client carries its token. */
async function person() {
  const email = `mqtt.${randomUUID()}@example.com`;
  const password = `pw-${randomUUID()}`;
  const { user } = await service.client(UserService, null).createUser({ name: "MQTT Test", email, password });
  const { tokens } = await service.client(AuthService, null).login({ email, password });
  return { id: user!.id, auth: service.client(AuthService, tokens!.accessToken) };
}

function subscribe(topic: string, username?: string, password?: string): MosquittoSub {
  const subscriber = spawnMosquittoSub({
    port: broker.port,
    topic,
    ...(username === undefined ? {} : { username }),
    ...(password === undefined ? {} : { password }),
  });
  subscribers.push(subscriber);
  return subscriber;
}

describe("AuthService.GetMqttCredentials", () => {
  it("gives a person credentials for its own notifications topic, and only that topic", async () => {
    const alice = await person();
    const bob = await person();
    const credentials = await alice.auth.getMqttCredentials({});
    expect(credentials).toMatchObject({ username: alice.id, topic: notificationTopic(alice.id) });
    expect(credentials.password.length).toBeGreaterThanOrEqual(32);

    const own = subscribe(credentials.topic, credentials.username, credentials.password);
    const bobs = subscribe(notificationTopic(bob.id), credentials.username, credentials.password);
    const everything = subscribe("#", credentials.username, credentials.password);
    expect(await own.subackReason()).toBe(1);
    expect(await bobs.subackReason()).toBe(NOT_AUTHORIZED);
    expect(await everything.subackReason()).toBe(NOT_AUTHORIZED);

    await notifier.publishRaw(notificationTopic(bob.id), "for bob", { qos: 1 });
    await notifier.publishRaw(credentials.topic, "for alice", { qos: 1 });
    await own.waitFor(/for alice/);
    expect(own.output()).not.toMatch(/for bob/);
    expect(bobs.output()).not.toMatch(/for (bob|alice)/);
    expect(everything.output()).not.toMatch(/for (bob|alice)/);
  });

  it("answers a new password on every call: the previous one stops working", async () => {
    const alice = await person();
    const first = await alice.auth.getMqttCredentials({});
    const connected = subscribe(first.topic, first.username, first.password);
    expect(await connected.subackReason()).toBe(1);
    const second = await alice.auth.getMqttCredentials({});
    expect(second.password).not.toBe(first.password);
    await connected.exited; // the broker ended the session of the old password
    expect(await subscribe(first.topic, first.username, first.password).exited).toBe(NOT_AUTHORIZED);
    expect(await subscribe(second.topic, second.username, second.password).subackReason()).toBe(1);
  });

  it("refuses a login without a password or with a wrong one", async () => {
    const alice = await person();
    const { username, topic } = await alice.auth.getMqttCredentials({});
    expect(await subscribe(topic, username).exited).toBe(NOT_AUTHORIZED);
    expect(await subscribe(topic, username, "not-the-password").exited).toBe(NOT_AUTHORIZED);
  });

  it("is UNAUTHENTICATED without a token and PERMISSION_DENIED for a service", async () => {
    const anonymous = service.client(AuthService, null);
    expect((await callError(anonymous.getMqttCredentials({}))).code).toBe(Code.Unauthenticated);
    const serviceToken = (await service.app.issuer.forService("notification-service")).token;
    const asService = service.client(AuthService, serviceToken);
    expect((await callError(asService.getMqttCredentials({}))).code).toBe(Code.PermissionDenied);
  });

  it("deleting the user deletes its MQTT account; its still-valid token gets NOT_FOUND", async () => {
    const alice = await person();
    const { username, password, topic } = await alice.auth.getMqttCredentials({});
    await service.client(UserService).deleteUser({ id: alice.id });
    // The account goes right after the delete commits (best effort, asynchronously).
    for (let attempt = 0; ; attempt++) {
      if ((await subscribe(topic, username, password).exited) === NOT_AUTHORIZED) break;
      if (attempt > 50) throw new Error("the MQTT account outlived its user");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect((await callError(alice.auth.getMqttCredentials({}))).code).toBe(Code.NotFound);
  });
});

describe("GetMqttCredentials with the broker down", () => {
  it("is UNAVAILABLE (try again), not a crash or a silent success", async () => {
    const db2 = await migratedDatabase();
    const unreachable = new DynamicSecurity({
      url: "mqtt://127.0.0.1:1", // nothing listens on port 1
      account: broker.serviceAccount("user-service"),
      clientId: `down-${randomUUID().slice(0, 8)}`,
      timeoutMs: 500,
    });
    const store = new UserStore(db2);
    const down = await startUserService(db2, {
      mqttCredentials: mqttCredentialsHandler({
        accounts: new PersonAccounts(unreachable),
        userExists: async (userId) => (await store.get(db2, userId)) !== undefined,
      }),
    });
    try {
      const email = `down.${randomUUID()}@example.com`;
      const password = `pw-${randomUUID()}`;
      await down.client(UserService, null).createUser({ name: "Down", email, password });
      const { tokens } = await down.client(AuthService, null).login({ email, password });
      const error = await callError(down.client(AuthService, tokens!.accessToken).getMqttCredentials({}));
      expect(error.code).toBe(Code.Unavailable);
    } finally {
      await Promise.allSettled([unreachable.close(), down.close()]);
      await db2.close();
    }
  });
});
