import { randomUUID } from "node:crypto";
import { type Client, Code } from "@connectrpc/connect";
import type { Database } from "@switchboard/database";
import {
  type CloudEvent,
  eventRegistry,
  KafkaBroker,
  OutboxRelay,
  USERS_TOPIC,
} from "@switchboard/messaging";
import {
  type UserCreated,
  UserDeletedSchema,
  type UserUpdated,
} from "@switchboard/proto/switchboard/events/v1/events_pb.js";
import { UserService } from "@switchboard/proto/switchboard/user/v1/user_service_pb.js";
import {
  brokerUrls,
  callError,
  ensureBrokers,
  memoryLogger,
  serveOnPort0,
  unsentOutboxRows,
} from "@switchboard/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../src/app.js";
import { UserStore } from "../src/store/user-store.js";
import { authedClient, migratedDatabase } from "./harness.js";

const { logger } = memoryLogger("warn");
let db: Database;
let kafka: KafkaBroker;
let relay: OutboxRelay;
let close: () => Promise<void>;
let client: Client<typeof UserService>;

beforeAll(async () => {
  await ensureBrokers("kafka");
  db = await migratedDatabase();
  kafka = new KafkaBroker({
    brokers: [brokerUrls.kafka],
    clientId: "user-service-test",
    source: "/switchboard/user-service",
    registry: eventRegistry,
    logger,
  });
  relay = new OutboxRelay({ db, broker: kafka, logger, registry: eventRegistry });
  relay.start();
  const app = buildApp({ logger, store: new UserStore(db), outbox: relay });
  const served = await serveOnPort0(app.server);
  close = () => app.server.shutdown();
  const admin = await app.issuer.forUser(randomUUID(), ["user", "admin"]);
  client = authedClient(UserService, served.baseUrl, admin.token);
});
afterAll(async () => {
  await close?.();
  await relay?.stop();
  await kafka?.close();
  await db?.close();
});

describe("user events on real Kafka", () => {
  it("yields exactly one decodable event per change, keyed by the user id, in order", async () => {
    const events: CloudEvent[] = [];
    const markerId = randomUUID();
    let sawMarker!: () => void;
    const marker = new Promise<void>((resolve) => {
      sawMarker = resolve;
    });
    const subscription = await kafka.subscribe(
      USERS_TOPIC,
      async (event) => {
        if (event.id === markerId) sawMarker();
        else events.push(event);
      },
      { group: `user-events-test-${randomUUID()}`, fromBeginning: true },
    );
    try {
      const request = { requestId: randomUUID(), name: "Evented", email: `ev.${randomUUID()}@example.com` };
      const { user } = await client.createUser(request);
      await client.createUser(request); // an idempotent retry: no second event
      const id = user!.id;
      await client.updateUser({
        user: { id, email: `new.${randomUUID()}@example.com` },
        updateMask: { paths: ["email"] },
      });
      await callError(
        client.updateUser({ user: { id, name: "x" }, updateMask: { paths: ["name"] }, expectedVersion: 1n }),
      ).then((e) => expect(e.code).toBe(Code.Aborted)); // a failed change: no event
      await client.deleteUser({ id });
      // Everything committed is published; then a marker with the same key lands after it in the
      // same partition, so once the marker is consumed every event of this user has been too.
      while ((await unsentOutboxRows(db)) > 0) await new Promise((r) => setTimeout(r, 50));
      await kafka.publish(USERS_TOPIC, {
        schema: UserDeletedSchema,
        data: { userId: "marker" },
        subject: id,
        id: markerId,
      });
      await marker;
      const mine = events.filter((event) => event.subject === id);
      expect(mine.map((event) => event.type)).toEqual([
        "switchboard.events.v1.UserCreated",
        "switchboard.events.v1.UserUpdated",
        "switchboard.events.v1.UserDeleted",
      ]);
      expect((mine[0]?.data as UserCreated).user?.email).toBe(request.email);
      expect((mine[1]?.data as UserUpdated).changedFields).toEqual(["email"]);
      expect(new Set(mine.map((event) => event.id)).size).toBe(3);
      expect(mine.every((event) => event.source === "/switchboard/user-service")).toBe(true);
    } finally {
      await subscription.close();
    }
  });
});
