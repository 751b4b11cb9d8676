import { UserService } from "@switchboard/proto/switchboard/user/v1/user_service_pb.js";
import { GrpcServer, type Logger, type ServerTls } from "@switchboard/runtime";
import { UserChanges } from "./domain/user-changes.js";
import { UserHandlers } from "./handlers/user-service.js";
import type { UserStore } from "./store/user-store.js";

export interface AppDeps {
  logger: Logger;
  store: UserStore;
  /** The outbox relay (or anything with wake()), told after each commit. */
  outbox: { wake(): void };
  source?: string;
  readMaxBytes?: number;
  tls?: ServerTls;
}

/** Builds user-service's gRPC server from its dependencies. Never listens: main.ts and tests do. */
export function buildApp(deps: AppDeps): { server: GrpcServer; handlers: UserHandlers } {
  const handlers = new UserHandlers({
    store: deps.store,
    changes: new UserChanges(),
    outbox: deps.outbox,
    source: deps.source ?? "/switchboard/user-service",
  });
  const server = new GrpcServer({
    logger: deps.logger,
    readMaxBytes: deps.readMaxBytes ?? 4 * 1024 * 1024,
    ...(deps.tls ? { tls: deps.tls } : {}),
    routes: (router) => router.service(UserService, handlers),
  });
  return { server, handlers };
}
