import { Outbox } from "@switchboard/messaging";
import { NotificationService } from "@switchboard/proto/switchboard/notification/v1/notification_service_pb.js";
import { GrpcJsServer, type Logger, type ServerTls, type TokenVerifier } from "@switchboard/runtime";
import { Notifier } from "./domain/notifier.js";
import { SubscriberHub } from "./domain/subscriber-hub.js";
import { NotificationHandlers } from "./handlers/notification-service.js";
import type { NotificationStore } from "./store/notification-store.js";

export const SOURCE = "/switchboard/notification-service";

export interface AppDeps {
  logger: Logger;
  store: NotificationStore;
  outbox: { wake(): void };
  subscriberBuffer?: number;
  readMaxBytes?: number;
  /** The delivery work queue (NOTIFICATIONS_QUEUE; tests use their own). */
  deliverQueue: string;
  tls?: ServerTls;
  /** Verifies the bearer token of every call (against user-service's JWKS in main.ts). */
  verifier: TokenVerifier;
}

/** Builds notification-service's server and the pieces its consumers share. Never listens. */
export function buildApp(deps: AppDeps) {
  const hub = new SubscriberHub(deps.subscriberBuffer ?? 256);
  const notifier = new Notifier(deps.store, deps.deliverQueue);
  const outbox = new Outbox(deps.store.db, { source: SOURCE, relay: deps.outbox });
  const server = new GrpcJsServer({
    logger: deps.logger,
    readMaxBytes: deps.readMaxBytes ?? 1024 * 1024,
    ...(deps.tls ? { tls: deps.tls } : {}),
    // No service calls notification-service under mutual TLS without a token: services that send
    // notifications present a service token (the policy lets any service send).
    auth: { verifier: deps.verifier },
    routes: (router, { draining }) =>
      router.service(
        NotificationService,
        new NotificationHandlers({ store: deps.store, notifier, hub, outbox, draining }),
      ),
  });
  return { server, hub, notifier, outbox };
}
