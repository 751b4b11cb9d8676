/**
 * The gateway in front of the real user-service and image-service, each on a free port over an
 * in-memory PGlite (nothing relays their outboxes: no brokers needed). notification-service is
 * absent unless `notificationsUrl` names one (test/notification-service.ts): its calls then show
 * what a Fault for an unreachable backend looks like.
 * `rpcs()` counts the gRPC calls the services logged: hostile requests must not add any.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "@switchboard/database";
import { BlobStore, buildApp as buildImageApp, imageMigrations } from "@switchboard/image-service";
import { inboxMigrations, outboxMigrations } from "@switchboard/messaging";
import { AuthService } from "@switchboard/proto/switchboard/auth/v1/auth_service_pb.js";
import { ImageService } from "@switchboard/proto/switchboard/image/v1/image_service_pb.js";
import { NotificationService } from "@switchboard/proto/switchboard/notification/v1/notification_service_pb.js";
import { UserService } from "@switchboard/proto/switchboard/user/v1/user_service_pb.js";
import { createServiceClient } from "@switchboard/runtime";
import { memoryLogger, serveOnPort0 } from "@switchboard/testing";
import { buildApp as buildUserApp, UserStore, userMigrations } from "@switchboard/user-service";
import { type AppDeps, buildApp } from "../src/app.js";

export async function startSystem({
  notificationsUrl,
  ...options
}: Partial<Omit<AppDeps, "logger" | "backends">> & {
  notificationsUrl?: string;
} = {}) {
  const usersDb = await openDatabase({});
  for (const [name, migrations] of [
    ["user-service", userMigrations],
    ["outbox", outboxMigrations],
    ["inbox", inboxMigrations],
  ] as const) {
    await usersDb.migrate(name, migrations);
  }
  const usersLog = memoryLogger();
  const users = await serveOnPort0(
    buildUserApp({ logger: usersLog.logger, store: new UserStore(usersDb), outbox: { wake() {} } }).server,
  );

  const imagesDb = await openDatabase({});
  await imagesDb.migrate("image-service", imageMigrations);
  await imagesDb.migrate("outbox", outboxMigrations);
  const dataDir = await mkdtemp(join(tmpdir(), "soap-gateway-images-"));
  const blobs = await new BlobStore(dataDir).open();
  const imagesLog = memoryLogger();
  const images = await serveOnPort0(
    buildImageApp({
      logger: imagesLog.logger,
      db: imagesDb,
      blobs,
      outbox: { wake() {} },
      limits: { maxChunkBytes: 1024 * 1024, maxPixels: 50_000_000, maxUploadBytes: 8 * 1024 * 1024 },
      jobsQueue: "test.gateway.images.process", // no relay runs: no job is ever sent
    }).server,
  );

  const gatewayLog = memoryLogger();
  const { server } = buildApp({
    logger: gatewayLog.logger,
    backends: {
      auth: createServiceClient(AuthService, { baseUrl: users.baseUrl }),
      users: createServiceClient(UserService, { baseUrl: users.baseUrl }),
      images: createServiceClient(ImageService, { baseUrl: images.baseUrl }),
      // Without one, nothing listens on port 1: calls fail UNAVAILABLE.
      notifications: createServiceClient(NotificationService, {
        baseUrl: notificationsUrl ?? "http://127.0.0.1:1",
        ...(notificationsUrl ? {} : { maxAttempts: 1 }),
      }),
    },
    ...options,
  });
  const gateway = await serveOnPort0(server);

  return {
    url: gateway.baseUrl,
    /** user-service itself, for calls that bypass the gateway. */
    grpcUrl: users.baseUrl,
    gatewayLines: gatewayLog.lines,
    /** gRPC calls the backends have handled so far. */
    rpcs: () => [...usersLog.lines, ...imagesLog.lines].filter((line) => "rpc" in line).length,
    async close() {
      await server.shutdown(100);
      await users.server.shutdown();
      await images.server.shutdown();
      await usersDb.close();
      await imagesDb.close();
      await blobs.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export type SystemUnderTest = Awaited<ReturnType<typeof startSystem>>;
