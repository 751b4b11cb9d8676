import { createLogger, GrpcJsServer, GrpcServer, MiB } from "@switchboard/runtime";
import { benchRoutes } from "./handlers.js";

/**
 * The service kit (packages/runtime's GrpcServer on connect-node, or GrpcJsServer: logging, validation, cancellation interceptors,
 * health, reflection, limits) around the very handlers the bare connect server runs. Logs at
 * warn, as the issue measured: a per-call info line would measure pino, not the transport.
 */
export async function startKit(
  Server: typeof GrpcServer | typeof GrpcJsServer = GrpcServer,
): Promise<{ port: number; close(): Promise<void> }> {
  const server = new Server({
    logger: createLogger({ name: "rpc-bench-kit", level: "warn" }),
    readMaxBytes: 4 * MiB,
    routes: (router) => benchRoutes(router, { health: false }),
  });
  const port = await server.listen(0, "127.0.0.1");
  return { port, close: () => server.shutdown() };
}

/** The same kit on @grpc/grpc-js (GrpcJsServer): what the services run on. */
export const startKitGrpcJs = () => startKit(GrpcJsServer);
