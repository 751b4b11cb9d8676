/**
 * The gateway in front of the real user-service and image-service, each on a free port over an
 * in-memory PGlite (nothing relays their outboxes: no brokers needed), with identity on as in
 * production: user-service signs tokens with its own keys and has a first admin (`admin`, logged in
 * through the gateway), image-service verifies tokens against user-service's JWKS.
 * notification-service is absent unless `notifications` asks for it (test/notification-service.ts,
 * real brokers): its calls then show what a Fault for an unreachable backend looks like.
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
import { createServiceClient, JwksKeys, jwksOfUserService, TokenVerifier } from "@switchboard/runtime";
import { memoryLogger, serveOnPort0 } from "@switchboard/testing";
import { buildApp as buildUserApp, UserStore, userMigrations } from "@switchboard/user-service";
import { type AppDeps, buildApp } from "../src/app.js";
import { startNotificationService } from "./notification-service.js";
import { jwtSecurity } from "./wsse.js";

/** The first admin user-service creates at start, as ADMIN_EMAIL/ADMIN_PASSWORD would. */
export const TEST_ADMIN = { email: "admin@example.com", password: "switchboard-admin" } as const;

export async function startSystem({
  notifications = false,
  ...options
}: Partial<Omit<AppDeps, "logger" | "backends">> & {
  /** Start the real notification-service too (real Kafka, RabbitMQ and Mosquitto). */
  notifications?: boolean;
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
  const usersApp = buildUserApp({
    logger: usersLog.logger,
    store: new UserStore(usersDb),
    outbox: { wake() {} },
  });
  await usersApp.ensureFirstAdmin(TEST_ADMIN);
  const users = await serveOnPort0(usersApp.server);
  // Every other service verifies tokens against user-service's JWKS, as in production.
  const verifier = () =>
    new TokenVerifier({ keys: new JwksKeys({ fetchJwks: jwksOfUserService(users.baseUrl) }) });

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
      verifier: verifier(),
    }).server,
  );

  const notificationService = notifications ? await startNotificationService(verifier()) : undefined;

  const gatewayLog = memoryLogger();
  const { server } = buildApp({
    logger: gatewayLog.logger,
    backends: {
      auth: createServiceClient(AuthService, { baseUrl: users.baseUrl }),
      users: createServiceClient(UserService, { baseUrl: users.baseUrl }),
      images: createServiceClient(ImageService, { baseUrl: images.baseUrl }),
      // Without one, nothing listens on port 1: calls fail UNAVAILABLE.
      notifications: createServiceClient(NotificationService, {
        baseUrl: notificationService?.baseUrl ?? "http://127.0.0.1:1",
        ...(notificationService ? {} : { maxAttempts: 1 }),
      }),
    },
    ...options,
  });
  const gateway = await serveOnPort0(server);
  // The admin logs in over gRPC: the harness works the same whether the gateway speaks HTTP or HTTPS.
  const { tokens } = await createServiceClient(AuthService, { baseUrl: users.baseUrl }).login(TEST_ADMIN);
  const adminToken = tokens!.accessToken;

  return {
    url: gateway.baseUrl,
    /** The first admin: its access token, as a wsse:Security header and as an Authorization header. */
    admin: {
      token: adminToken,
      security: jwtSecurity(adminToken),
      authorization: `Bearer ${adminToken}`,
    },
    /** user-service itself, for calls that bypass the gateway. */
    grpcUrl: users.baseUrl,
    gatewayLines: gatewayLog.lines,
    /** gRPC calls the backends have handled so far. */
    /** How many times user-service answered `rpc` ("switchboard.auth.v1.AuthService/Login"). */
    rpcCount: (rpc: string) => usersLog.lines.filter((line) => line.rpc === rpc).length,
    rpcs: () =>
      [...usersLog.lines, ...imagesLog.lines].filter((line) => "rpc" in line).length +
      (notificationService?.rpcs() ?? 0),
    async close() {
      await server.shutdown(100);
      await notificationService?.close();
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
