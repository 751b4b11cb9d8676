import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "@switchboard/database";
import { BlobStore, buildApp as buildImageApp, imageMigrations } from "@switchboard/image-service";
import { inboxMigrations, outboxMigrations } from "@switchboard/messaging";
import {
  buildApp as buildNotificationApp,
  NotificationStore,
  notificationMigrations,
} from "@switchboard/notification-service";
import type { Notification } from "@switchboard/proto/switchboard/notification/v1/notification_pb.js";
import { JwksKeys, jwksOfUserService, TokenVerifier } from "@switchboard/runtime";
import { memoryLogger, serveOnPort0 } from "@switchboard/testing";
import { buildApp as buildUserApp, UserStore, userMigrations } from "@switchboard/user-service";
import { build, type GatewayOptions } from "../src/app.js";
import { createBackends } from "../src/backends.js";

const MiB = 1024 * 1024;

/** The first admin the harness's user-service makes, as `pnpm start` makes the dev admin. */
export const ADMIN = { email: "admin@gateway.test", password: "gateway-test-admin" };

/**
 * The three real services in process, each on a free port over an in-memory PGlite (no brokers:
 * their outboxes are not relayed, so live notifications are pushed into notification-service's
 * hub as its delivery worker would). Authentication is real: user-service signs tokens with its own
 * keys (sign up and log in through the gateway), the other two verify them against its JWKS.
 */
export async function startServices() {
  const userDb = await openDatabase({});
  await userDb.migrate("user-service", userMigrations);
  await userDb.migrate("outbox", outboxMigrations);
  await userDb.migrate("inbox", inboxMigrations);
  const userLog = memoryLogger();
  const userApp = buildUserApp({
    logger: userLog.logger,
    store: new UserStore(userDb),
    outbox: { wake() {} },
  });
  await userApp.ensureFirstAdmin(ADMIN);
  const user = await serveOnPort0(userApp.server);
  // As image-service's and notification-service's main.ts do: the JWKS of user-service, cached.
  const verifier = () =>
    new TokenVerifier({ keys: new JwksKeys({ fetchJwks: jwksOfUserService(user.baseUrl) }) });

  const imageDb = await openDatabase({});
  await imageDb.migrate("image-service", imageMigrations);
  await imageDb.migrate("outbox", outboxMigrations);
  const blobDir = await mkdtemp(join(tmpdir(), "gateway-images-"));
  const blobs = await new BlobStore(blobDir).open();
  const image = await serveOnPort0(
    buildImageApp({
      logger: memoryLogger().logger,
      db: imageDb,
      blobs,
      outbox: { wake() {} },
      limits: { maxChunkBytes: MiB, maxPixels: 50_000_000, maxUploadBytes: 256 * MiB },
      jobsQueue: "test.gateway.images.process", // no relay runs: no job is ever sent
      verifier: verifier(),
    }).server,
  );

  const notificationDb = await openDatabase({});
  await notificationDb.migrate("notification-service", notificationMigrations);
  await notificationDb.migrate("outbox", outboxMigrations);
  await notificationDb.migrate("inbox", inboxMigrations);
  const notificationApp = buildNotificationApp({
    logger: memoryLogger().logger,
    store: new NotificationStore(notificationDb),
    outbox: { wake() {} },
    deliverQueue: "test.gateway.notifications.deliver", // no relay runs: no job is ever sent
    verifier: verifier(),
  });
  const notification = await serveOnPort0(notificationApp.server);

  return {
    urls: { user: user.baseUrl, image: image.baseUrl, notification: notification.baseUrl },
    userLog: userLog.lines,
    /** Pushes a notification to open Subscribe streams, as the delivery worker does. */
    hub: notificationApp.hub as { publish(notification: Notification): number },
    async close() {
      await Promise.all([user.server.shutdown(), image.server.shutdown(), notification.server.shutdown()]);
      await Promise.all([userDb.close(), imageDb.close(), notificationDb.close(), blobs.close()]);
      await rm(blobDir, { recursive: true, force: true });
    },
  };
}

export type Services = Awaited<ReturnType<typeof startServices>>;

/** A gateway over the services (or over any URLs), built but not listening: use `inject()`. */
export async function startGateway(urls: Services["urls"], options: Partial<GatewayOptions> = {}) {
  const { logger, lines } = memoryLogger();
  const backends = createBackends(urls, { timeoutMs: 5_000 });
  const { app, routes } = await build({ logger, backends, options });
  return { app, routes, lines };
}
