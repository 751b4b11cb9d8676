import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  Health,
  HealthCheckResponse_ServingStatus as ServingStatus,
} from "@switchboard/proto/grpc/health/v1/health_pb.js";
import { DeliveryState } from "@switchboard/proto/switchboard/notification/v1/notification_pb.js";
import { NotificationService } from "@switchboard/proto/switchboard/notification/v1/notification_service_pb.js";
import {
  connectClient,
  ensureBrokers,
  freePort,
  proxiedBroker,
  spawnService,
  until,
} from "@switchboard/testing";
import { describe, expect, it } from "vitest";
import { authForProcess } from "./harness.js";

describe("notification-service started while Kafka and RabbitMQ are unreachable", () => {
  it("listens at once, accepts notifications, reports the dependencies, and delivers them once the brokers come back", async () => {
    await ensureBrokers("kafka", "rabbitmq", "mosquitto");
    const rabbit = await proxiedBroker("amqp");
    const kafka = await proxiedBroker("kafka");
    const dataDir = await mkdtemp(join(tmpdir(), "notification-service-down-"));
    const port = await freePort();
    const auth = await authForProcess();
    const started = Date.now();
    const service = spawnService(join(import.meta.dirname, ".."), {
      PORT: String(port),
      DATA_DIR: dataDir,
      AMQP_URL: rabbit.url,
      KAFKA_BROKERS: kafka.url,
      LOG_LEVEL: "warn",
      ...auth.env,
    });
    try {
      const baseUrl = `http://127.0.0.1:${port}`;
      const client = connectClient(NotificationService, baseUrl, "grpc", {
        timeoutMs: 30_000,
        token: auth.adminToken,
      });
      const health = connectClient(Health, baseUrl, "grpc");
      await until(
        async () => (await health.check({}).catch(() => undefined))?.status === ServingStatus.SERVING,
        100,
      );
      const answeringAfterMs = Date.now() - started;
      for (const dependency of ["dependency.kafka", "dependency.rabbitmq"]) {
        expect((await health.check({ service: dependency })).status).toBe(ServingStatus.NOT_SERVING);
      }

      // Writes succeed with both brokers down: each notification and its delivery job are committed.
      const userId = randomUUID();
      for (const n of [1, 2, 3]) await client.sendNotification({ userId, title: `while down ${n}` });
      const states = async () =>
        (await client.listNotifications({ userId })).notifications.map((n) => n.deliveryState);
      expect(await states()).not.toContain(DeliveryState.DELIVERED);

      const reachableAt = Date.now();
      rabbit.up();
      kafka.up();
      // None lost: every queued delivery job runs.
      await until(async () => {
        const now = await states();
        return now.length === 3 && now.every((state) => state === DeliveryState.DELIVERED);
      }, 200);
      const deliveredAfterMs = Date.now() - reachableAt;
      for (const dependency of ["dependency.kafka", "dependency.rabbitmq"]) {
        expect((await health.check({ service: dependency })).status).toBe(ServingStatus.SERVING);
      }
      console.log(
        `notification-service with brokers down: answering ${answeringAfterMs} ms after start; 3 notifications accepted; ` +
          `all 3 delivered ${deliveredAfterMs} ms after the brokers became reachable`,
      );
    } finally {
      await service.stop();
      await Promise.all([rabbit.close(), kafka.close(), auth.close()]);
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 180_000);
});
