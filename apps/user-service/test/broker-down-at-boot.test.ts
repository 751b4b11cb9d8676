import { randomUUID } from "node:crypto";
import { eventRegistry, KafkaBroker, OutboxRelay, USERS_TOPIC } from "@switchboard/messaging";
import { UserService } from "@switchboard/proto/switchboard/user/v1/user_service_pb.js";
import {
  brokerUrls,
  ensureBrokers,
  memoryLogger,
  proxiedBroker,
  serveOnPort0,
  until,
} from "@switchboard/testing";
import { describe, expect, it } from "vitest";
import { buildApp } from "../src/app.js";
import { UserStore } from "../src/store/user-store.js";
import { authedClient, migratedDatabase } from "./harness.js";

describe("user-service started while Kafka is unreachable", () => {
  it("serves and takes writes at once; the events reach Kafka once it is reachable, none lost", async () => {
    await ensureBrokers("kafka");
    const { logger } = memoryLogger("warn");
    const proxy = await proxiedBroker("kafka");
    const db = await migratedDatabase();
    // Wired as main.ts does, its Kafka behind a proxy that refuses every connection for now.
    const kafka = new KafkaBroker({
      brokers: [proxy.url],
      clientId: "user-service-down-test",
      source: "/switchboard/user-service",
      registry: eventRegistry,
      logger,
    });
    const relay = new OutboxRelay({ db, broker: kafka, logger, registry: eventRegistry });
    relay.start();
    const app = buildApp({ logger, store: new UserStore(db), outbox: relay });
    const { server } = app;
    const served = await serveOnPort0(server);
    const admin = await app.issuer.forUser(randomUUID(), ["user", "admin"]);
    // A reader straight on the real broker.
    const reader = new KafkaBroker({
      brokers: [brokerUrls.kafka],
      clientId: "user-service-down-reader",
      source: "/test",
      registry: eventRegistry,
      logger,
    });
    try {
      const client = authedClient(UserService, served.baseUrl, admin.token);
      const ids: string[] = [];
      for (const n of [1, 2, 3]) {
        const { user } = await client.createUser({
          requestId: randomUUID(),
          name: `Down ${n}`,
          email: `${randomUUID()}@example.com`,
        });
        ids.push(user?.id ?? "");
      }
      const unsent = async () =>
        Number(
          (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM outbox WHERE sent_at IS NULL"))
            .rows[0]?.n,
        );
      expect(await unsent()).toBe(3);

      const seen = new Set<string>();
      const subscription = await reader.subscribe(
        USERS_TOPIC,
        async (event) => {
          if (event.subject && ids.includes(event.subject)) seen.add(event.subject);
        },
        { group: `user-down-test-${randomUUID()}`, fromBeginning: true },
      );
      const reachableAt = Date.now();
      proxy.up();
      await until(async () => (await unsent()) === 0, 200);
      await until(() => seen.size === 3, 100);
      console.log(
        `user-service with Kafka down: 3 users created; their events on Kafka ${Date.now() - reachableAt} ms after it became reachable`,
      );
      await subscription.close();
    } finally {
      await server.shutdown();
      await relay.stop();
      await Promise.all([kafka.close(), reader.close()]);
      await db.close();
      await proxy.close();
    }
  }, 180_000);
});
