import type * as http2 from "node:http2";
import type * as grpc from "@grpc/grpc-js";

/** The two grpc-js Server internals this reaches: its http2 options and the factory that uses them. */
interface ServerInternals {
  commonServerOptions?: http2.ServerOptions;
  createHttp2Server?: (credentials: grpc.ServerCredentials) => http2.Http2Server;
}

/**
 * Gives a grpc-js server an HTTP/2 receive window of `bytes`, per call (SETTINGS) and per
 * connection. grpc-js reads `grpc-node.flow_control_window` on its client only; the server stays
 * at HTTP/2's 64 KiB, which makes a 64 KiB-chunk upload wait a round trip per chunk
 * (grpc/grpc-node#3058 adds the option to the server; until it lands, this does what that does).
 * Call it before bindAsync. It throws if grpc-js has moved its internals, so a grpc-js upgrade
 * fails the kit's tests instead of silently going back to 64 KiB.
 */
export function setFlowControlWindow(server: grpc.Server, bytes: number): void {
  const internals = server as unknown as ServerInternals;
  const { commonServerOptions: options, createHttp2Server } = internals;
  if (!options || typeof createHttp2Server !== "function") {
    throw new Error("@grpc/grpc-js changed its Server internals: flow-control-window.ts needs updating");
  }
  options.settings = { ...options.settings, initialWindowSize: bytes };
  internals.createHttp2Server = (credentials) => {
    const http2Server = createHttp2Server.call(server, credentials);
    http2Server.on("session", (session) => session.setLocalWindowSize(bytes));
    return http2Server;
  };
}
