import { ConnectError } from "@connectrpc/connect";
import { setTrailerStatus } from "@connectrpc/connect/protocol-grpc";
import type * as grpc from "@grpc/grpc-js";
import { metadataFromHeaders } from "./metadata.js";

/**
 * A handler's error as grpc-js sends it: the status code (connect's codes are gRPC's), the
 * message, and trailers carrying the error's metadata and its details as
 * `grpc-status-details-bin` — exactly what connect-node's gRPC protocol sends.
 */
export function serviceError(error: unknown, trailer: Headers): grpc.ServerErrorResponse {
  const failure = ConnectError.from(error);
  const trailers = setTrailerStatus(new Headers(trailer), failure);
  return Object.assign(new Error(failure.rawMessage), {
    code: failure.code as number as grpc.status,
    details: failure.rawMessage,
    metadata: metadataFromHeaders(trailers, ["grpc-status", "grpc-message"]),
  });
}
