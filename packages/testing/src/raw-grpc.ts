import type * as http2 from "node:http2";
import type { DescMethod } from "@bufbuild/protobuf";

/** How a raw call ended: its grpc-status (or -1 when the stream ended without one) and message. */
export interface RawOutcome {
  status: number;
  message: string;
}

/**
 * Sends `messages` as one gRPC call of `method` over `session`, byte for byte (no client library
 * in between that would refuse to encode garbage), then ends the request. Reads and discards
 * the answer; resolves with the status from the trailers (or from trailers-only headers).
 */
export function rawGrpcCall(
  session: http2.ClientHttp2Session,
  method: DescMethod,
  messages: readonly Uint8Array[],
  timeoutMs: number,
  /** More request headers, e.g. `authorization`. */
  headers: http2.OutgoingHttpHeaders = {},
): Promise<RawOutcome> {
  return new Promise((resolve) => {
    const stream = session.request({
      ":method": "POST",
      ":path": `/${method.parent.typeName}/${method.name}`,
      "content-type": "application/grpc+proto",
      te: "trailers",
      "grpc-timeout": `${timeoutMs}m`,
      ...headers,
    });
    let outcome: RawOutcome | undefined;
    const settle = (headers: http2.IncomingHttpHeaders) => {
      const status = headers["grpc-status"];
      if (status !== undefined) {
        outcome = {
          status: Number(status),
          message: decodeURIComponent(String(headers["grpc-message"] ?? "")),
        };
      }
    };
    stream.on("response", settle);
    stream.on("trailers", settle);
    stream.on("end", () => {
      if (outcome) finish();
    });
    stream.on("data", () => {});
    stream.on("error", () => {});
    // The server may answer without reading a body it refuses: stop sending once it has answered.
    const finish = () => {
      clearTimeout(giveUp);
      resolve(
        outcome ?? { status: -1, message: `stream ended without a grpc-status, rst code ${stream.rstCode}` },
      );
    };
    const giveUp = setTimeout(() => {
      stream.destroy();
      finish();
    }, timeoutMs + 2_000);
    stream.on("close", finish);
    for (const message of messages) {
      const frame = Buffer.alloc(5 + message.length);
      frame.writeUInt32BE(message.length, 1);
      frame.set(message, 5);
      stream.write(frame);
    }
    stream.end();
  });
}
