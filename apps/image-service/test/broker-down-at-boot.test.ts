import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  Health,
  HealthCheckResponse_ServingStatus as ServingStatus,
} from "@switchboard/proto/grpc/health/v1/health_pb.js";
import { ImageService } from "@switchboard/proto/switchboard/image/v1/image_service_pb.js";
import {
  connectClient,
  ensureBrokers,
  freePort,
  proxiedBroker,
  spawnService,
  until,
} from "@switchboard/testing";
import { describe, expect, it } from "vitest";
import { authForProcess, makeImage, OWNER, uploadMessages } from "./harness.js";

describe("image-service started while RabbitMQ and Kafka are unreachable", () => {
  it("listens at once, takes uploads, reports the dependency, and runs the queued jobs once the brokers come back", async () => {
    await ensureBrokers("kafka", "rabbitmq", "mosquitto");
    // Proxies in front of the shared brokers, refusing every connection until switched on.
    const rabbit = await proxiedBroker("amqp");
    const kafka = await proxiedBroker("kafka");
    const dataDir = await mkdtemp(join(tmpdir(), "image-service-down-"));
    const port = await freePort();
    const auth = await authForProcess();
    const started = Date.now();
    const service = spawnService(join(import.meta.dirname, ".."), {
      PORT: String(port),
      DATA_DIR: dataDir,
      AMQP_URL: rabbit.url,
      KAFKA_BROKERS: kafka.url,
      WORKERS: "1",
      JOBS_QUEUE: `images.process.test-${randomUUID().slice(0, 8)}`,
      LOG_LEVEL: "warn",
      ...auth.env,
    });
    try {
      const baseUrl = `http://127.0.0.1:${port}`;
      const images = connectClient(ImageService, baseUrl, "grpc", {
        timeoutMs: 30_000,
        token: auth.adminToken,
      });
      const health = connectClient(Health, baseUrl, "grpc");
      await until(
        async () => (await health.check({}).catch(() => undefined))?.status === ServingStatus.SERVING,
        100,
      );
      const answeringAfterMs = Date.now() - started;
      expect((await health.check({ service: "dependency.rabbitmq" })).status).toBe(ServingStatus.NOT_SERVING);

      // Writes succeed with both brokers down: the image, its event and its thumbnail job are committed.
      const uploaded = await Promise.all(
        [1, 2, 3].map(
          async () =>
            (await images.uploadImage(uploadMessages(await makeImage("png"), { ownerId: OWNER }))).image,
        ),
      );
      expect(uploaded.every((image) => image?.variants.length === 0)).toBe(true);

      const reachableAt = Date.now();
      rabbit.up();
      kafka.up();
      // Every queued job arrives: each image gets its worker-made thumbnail.
      for (const image of uploaded) {
        await until(
          async () => (await images.getImage({ imageId: image?.id ?? "" })).image?.variants.length === 1,
          200,
        );
      }
      const jobsDoneAfterMs = Date.now() - reachableAt;
      expect((await health.check({ service: "dependency.rabbitmq" })).status).toBe(ServingStatus.SERVING);
      console.log(
        `image-service with brokers down: answering ${answeringAfterMs} ms after start; 3 uploads accepted; ` +
          `all 3 thumbnail jobs done ${jobsDoneAfterMs} ms after the brokers became reachable`,
      );
    } finally {
      await service.stop();
      await Promise.all([rabbit.close(), kafka.close(), auth.close()]);
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 180_000);
});
