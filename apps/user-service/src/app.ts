import { type Client, createClient, createRouterTransport } from "@connectrpc/connect";
import { Outbox } from "@switchboard/messaging";
import type { ImageService } from "@switchboard/proto/switchboard/image/v1/image_service_pb.js";
import { UserService } from "@switchboard/proto/switchboard/user/v1/user_service_pb.js";
import { UsuarioServicio } from "@switchboard/proto/user/usuario_pb.js";
import { GrpcJsServer, type Logger, type ServerTls } from "@switchboard/runtime";
import { UserChanges } from "./domain/user-changes.js";
import { UserDirectory } from "./domain/user-directory.js";
import { UserHandlers } from "./handlers/user-service.js";
import { UsuarioServicioHandlers } from "./handlers/usuario-servicio.js";
import type { UserStore } from "./store/user-store.js";

export interface AppDeps {
  logger: Logger;
  store: UserStore;
  /** The outbox relay (or anything with wake()), told after each commit. */
  outbox: { wake(): void };
  source?: string;
  readMaxBytes?: number;
  tls?: ServerTls;
  /** image-service: with it, the seed contract user.UsuarioServicio is served beside UserService. */
  images?: Client<typeof ImageService>;
}

/** Builds user-service's gRPC server from its dependencies. Never listens: main.ts and tests do. */
export function buildApp(deps: AppDeps): {
  server: GrpcJsServer;
  handlers: UserHandlers;
  changes: UserChanges;
} {
  const changes = new UserChanges();
  const outbox = new Outbox(deps.store.db, {
    source: deps.source ?? "/switchboard/user-service",
    relay: deps.outbox,
  });
  const users = new UserDirectory({ store: deps.store, outbox, changes });
  const handlers = new UserHandlers({ users, changes });
  const server = new GrpcJsServer({
    logger: deps.logger,
    ...(deps.readMaxBytes ? { readMaxBytes: deps.readMaxBytes } : {}),
    ...(deps.tls ? { tls: deps.tls } : {}),
    routes: (router) => {
      router.service(UserService, handlers);
      if (deps.images) {
        // The seed contract reaches users through UserService's own contract, in process.
        const users = createClient(
          UserService,
          createRouterTransport((local) => local.service(UserService, handlers)),
        );
        const seed = new UsuarioServicioHandlers({ users, images: deps.images, logger: deps.logger });
        router.service(UsuarioServicio, seed);
      }
    },
  });
  return { server, handlers, changes };
}
