import type { DescService } from "@bufbuild/protobuf";
import { type Client, createClient } from "@connectrpc/connect";
import {
  createConnectTransport,
  createGrpcTransport,
  createGrpcWebTransport,
} from "@connectrpc/connect-node";
import { bearerToken } from "@switchboard/runtime";

export type Protocol = "grpc" | "grpc-web" | "connect";

/** PEM contents for an https:// base URL: the CA to trust, and a client certificate for mutual TLS. */
export interface ClientTlsPem {
  ca: Buffer | string;
  cert?: Buffer | string;
  key?: Buffer | string;
}

/** A Connect client for `service` at `baseUrl`, over the chosen protocol (HTTP/2). */
export function connectClient<T extends DescService>(
  service: T,
  baseUrl: string,
  protocol: Protocol = "grpc",
  options: {
    readMaxBytes?: number;
    writeMaxBytes?: number;
    timeoutMs?: number;
    tls?: ClientTlsPem;
    /** Sent as `authorization: Bearer <token>` on every call. */
    token?: string | (() => string | Promise<string>);
  } = {},
): Client<T> {
  const common = {
    baseUrl,
    httpVersion: "2" as const,
    defaultTimeoutMs: options.timeoutMs ?? 10_000,
    ...(options.readMaxBytes ? { readMaxBytes: options.readMaxBytes } : {}),
    ...(options.writeMaxBytes ? { writeMaxBytes: options.writeMaxBytes } : {}),
    ...(options.tls ? { nodeOptions: { ...options.tls } } : {}),
    ...(options.token ? { interceptors: [bearerToken(tokenSource(options.token))] } : {}),
  };
  const transport =
    protocol === "grpc"
      ? createGrpcTransport(common)
      : protocol === "grpc-web"
        ? createGrpcWebTransport(common)
        : createConnectTransport(common);
  return createClient(service, transport);
}

const tokenSource = (token: string | (() => string | Promise<string>)) =>
  typeof token === "string" ? () => token : token;
