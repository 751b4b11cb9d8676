import { createLogger, GrpcServer, MiB } from "@switchboard/runtime";
import { benchRoutes } from "./handlers.js";

/**
 * The service kit (packages/runtime's GrpcServer: logging, validation, cancellation interceptors,
 * health, reflection, limits) around the very handlers the bare connect server runs. Logs at
 * warn, as the issue measured: a per-call info line would measure pino, not the transport.
 */
export async function startKit(): Promise<{ port: number; close(): Promise<void> }> {
  const server = new GrpcServer({
    logger: createLogger({ name: "rpc-bench-kit", level: "warn" }),
    readMaxBytes: 4 * MiB,
    routes: (router) => benchRoutes(router, { health: false }),
  });
  const port = await server.listen(0, "127.0.0.1");
  return { port, close: () => server.shutdown() };
}
