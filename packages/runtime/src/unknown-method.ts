import { Code } from "@connectrpc/connect";
import type { ConnectNodeAdapterOptions } from "@connectrpc/connect-node";

/**
 * Answers a call to a method this server does not have the way gRPC clients expect:
 * HTTP 200 with grpc-status UNIMPLEMENTED (a bare 404 reads as a transport failure to some
 * clients). Other requests get a plain 404.
 */
export const unknownMethod: NonNullable<ConnectNodeAdapterOptions["fallback"]> = (request, response) => {
  const contentType = request.headers["content-type"] ?? "";
  const message = `unknown method ${request.url ?? ""}`;
  if (contentType.startsWith("application/grpc")) {
    response.writeHead(200, {
      "content-type": contentType,
      "grpc-status": String(Code.Unimplemented),
      "grpc-message": encodeURIComponent(message),
    });
    response.end();
    return;
  }
  response.writeHead(404, { "content-type": "application/json" });
  response.end(JSON.stringify({ code: "unimplemented", message }));
};
