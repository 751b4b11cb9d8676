import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { MiB } from "../workload.js";
import { benchRoutes } from "./handlers.js";

/** connect-node's adapter on a plain http2 server: no interceptors, no logging, no validation. */
export async function startBareConnect(): Promise<{ port: number; close(): Promise<void> }> {
  const handler = connectNodeAdapter({
    readMaxBytes: 4 * MiB,
    routes: (router) => benchRoutes(router, { health: true }),
  });
  const server = http2.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
