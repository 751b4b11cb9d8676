import { randomBytes, randomUUID } from "node:crypto";
import {
  type MosquittoSub,
  memoryLogger,
  type PrivateMosquitto,
  spawnMosquittoSub,
  startPrivateMosquitto,
} from "@switchboard/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { notificationTopic } from "../src/channels.js";
import { eventRegistry } from "../src/event-registry.js";
import { DynamicSecurity } from "../src/mqtt/dynamic-security.js";
import { MqttBroker } from "../src/mqtt/mqtt-broker.js";
import { PersonAccounts } from "../src/mqtt/person-accounts.js";
import { presenceTopic } from "../src/mqtt/presence.js";

// A broker of this file's own, started by infra/brokers.sh: no anonymous clients, dynsec accounts.
let broker: PrivateMosquitto;
let dynsec: DynamicSecurity;
let accounts: PersonAccounts;
let notifier: MqttBroker;
const subscribers: MosquittoSub[] = [];

beforeAll(async () => {
  broker = await startPrivateMosquitto();
  dynsec = new DynamicSecurity({
    url: broker.url,
    account: broker.serviceAccount("user-service"),
    clientId: `user-service-dynsec-${randomUUID().slice(0, 8)}`,
  });
  accounts = new PersonAccounts(dynsec);
  notifier = serviceClient("notification-service");
}, 60_000);
afterEach(async () => {
  await Promise.all(subscribers.splice(0).map((subscriber) => subscriber.stop()));
});
afterAll(async () => {
  await Promise.allSettled([dynsec?.close(), notifier?.close()]);
  await broker?.stop();
});

function serviceClient(service: string, password = broker.serviceAccount(service).password) {
  return new MqttBroker({
    url: broker.url,
    account: { username: service, password },
    clientId: `${service}-${randomUUID().slice(0, 8)}`,
    clean: true,
    source: `/switchboard/${service}`,
    registry: eventRegistry,
    logger: memoryLogger("silent").logger,
  });
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

const newPassword = () => randomBytes(24).toString("base64url");
const NOT_AUTHORIZED = 135;

describe("a person's MQTT account (dynamic-security, real mosquitto_sub)", () => {
  it("delivers a notification published by notification-service on the person's own topic", async () => {
    const userId = randomUUID();
    const account = await accounts.setPassword(userId, newPassword());
    expect(account).toEqual({
      username: userId,
      password: account.password,
      topic: notificationTopic(userId),
    });
    const own = subscribe(account.topic, account.username, account.password);
    expect(await own.subackReason()).toBe(1);
    await notifier.publishRaw(account.topic, "hello", { qos: 1 });
    await own.waitFor(new RegExp(`${account.topic} hello`));
  });

  it("refuses another person's topic and # (SUBACK: not authorized) and delivers nothing from them", async () => {
    const [me, other] = [randomUUID(), randomUUID()];
    const mine = await accounts.setPassword(me, newPassword());
    const theirs = await accounts.setPassword(other, newPassword());
    const spying = subscribe(theirs.topic, mine.username, mine.password);
    const everything = subscribe("#", mine.username, mine.password);
    const theirOwn = subscribe(theirs.topic, theirs.username, theirs.password);
    expect(await spying.subackReason()).toBe(NOT_AUTHORIZED);
    expect(await everything.subackReason()).toBe(NOT_AUTHORIZED);
    expect(await theirOwn.subackReason()).toBe(1);
    await notifier.publishRaw(theirs.topic, "private", { qos: 1 });
    // Delivered to the owner: by then the broker has routed it, so the others would have it too.
    await theirOwn.waitFor(/private/);
    expect(spying.output()).not.toMatch(/private/);
    expect(everything.output()).not.toMatch(/private/);
  });

  it("refuses a login without a password, with a wrong one, and without any account", async () => {
    const userId = randomUUID();
    await accounts.setPassword(userId, newPassword());
    const topic = notificationTopic(userId);
    expect(await subscribe(topic, userId).exited).toBe(NOT_AUTHORIZED);
    expect(await subscribe(topic, userId, "wrong-password").exited).toBe(NOT_AUTHORIZED);
    expect(await subscribe(topic).exited).toBe(NOT_AUTHORIZED);
  });

  it("a new password ends the old one: its session is disconnected and its login refused", async () => {
    const userId = randomUUID();
    const first = await accounts.setPassword(userId, newPassword());
    const old = subscribe(first.topic, first.username, first.password);
    expect(await old.subackReason()).toBe(1);
    const second = await accounts.setPassword(userId, newPassword());
    await old.exited;
    expect(old.output()).toMatch(/DISCONNECT/);
    expect(await subscribe(first.topic, userId, first.password).exited).toBe(NOT_AUTHORIZED);
    const fresh = subscribe(second.topic, userId, second.password);
    expect(await fresh.subackReason()).toBe(1);
  });

  it("a removed account can no longer log in; removing an unknown one is fine", async () => {
    const userId = randomUUID();
    const account = await accounts.setPassword(userId, newPassword());
    await accounts.remove(userId);
    await accounts.remove(userId);
    expect(await subscribe(account.topic, userId, account.password).exited).toBe(NOT_AUTHORIZED);
  });
});

describe("the service accounts infra/ writes", () => {
  it("notification-service publishes notifications and its presence, and nothing else", async () => {
    await notifier.publishRaw(notificationTopic(randomUUID()), "n", { qos: 1 });
    await notifier.publishRaw(presenceTopic("notification-service"), "online", { qos: 1 });
    await expect(notifier.publishRaw(presenceTopic("user-service"), "x", { qos: 1 })).rejects.toThrow();
    await expect(notifier.publishRaw("switchboard/anything", "x", { qos: 1 })).rejects.toThrow();
  });

  it("image-service may publish its presence but no notification", async () => {
    const images = serviceClient("image-service");
    try {
      await images.publishRaw(presenceTopic("image-service"), "online", { qos: 1 });
      await expect(images.publishRaw(notificationTopic(randomUUID()), "x", { qos: 1 })).rejects.toThrow();
    } finally {
      await images.close();
    }
  });

  it("a person's account cannot run dynamic-security commands (only user-service's and admin can)", async () => {
    const userId = randomUUID();
    const account = await accounts.setPassword(userId, newPassword());
    const control = subscribe("$CONTROL/dynamic-security/v1/response", account.username, account.password);
    expect(await control.subackReason()).toBe(NOT_AUTHORIZED);
  });
});
