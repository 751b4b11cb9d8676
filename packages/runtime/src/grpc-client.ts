import type { DescService } from "@bufbuild/protobuf";
import { type Client, Code, ConnectError, createClient, type Interceptor } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { DEFAULT_MESSAGE_BYTES } from "./grpc-server.js";

export interface ClientTls {
  /** PEM of the CA that signed the server's certificate. */
  ca: string | Buffer;
  /** Our own certificate and key, for servers that require mutual TLS. */
  cert?: string | Buffer;
  key?: string | Buffer;
}

export interface ServiceClientOptions {
  /** e.g. "http://127.0.0.1:50051" or "https://user-service:50051". */
  baseUrl: string;
  /** Deadline put on every call that does not set its own. */
  timeoutMs?: number;
  /** Attempts for a unary call that fails with UNAVAILABLE (1 = no retry). */
  maxAttempts?: number;
  readMaxBytes?: number;
  writeMaxBytes?: number;
  tls?: ClientTls;
  interceptors?: Interceptor[];
}

/**
 * Retries unary calls that fail with UNAVAILABLE — the one code that says "nothing happened,
 * try again" — with full-jitter exponential backoff, never past the call's deadline.
 */
export function retryUnavailable(maxAttempts: number, baseDelayMs = 50, maxDelayMs = 1_000): Interceptor {
  return (next) => async (request) => {
    if (request.stream) return next(request);
    for (let attempt = 1; ; attempt++) {
      try {
        return await next(request);
      } catch (error) {
        const failure = ConnectError.from(error);
        if (failure.code !== Code.Unavailable || attempt >= maxAttempts || request.signal.aborted)
          throw error;
        const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
        await new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
      }
    }
  };
}

/** A typed gRPC client with a deadline on every call and retries for UNAVAILABLE. */
export function createServiceClient<T extends DescService>(
  service: T,
  options: ServiceClientOptions,
): Client<T> {
  const transport = createGrpcTransport({
    baseUrl: options.baseUrl,
    defaultTimeoutMs: options.timeoutMs ?? 5_000,
    readMaxBytes: options.readMaxBytes ?? DEFAULT_MESSAGE_BYTES,
    writeMaxBytes: options.writeMaxBytes ?? DEFAULT_MESSAGE_BYTES,
    interceptors: [retryUnavailable(options.maxAttempts ?? 3), ...(options.interceptors ?? [])],
    ...(options.tls
      ? { nodeOptions: { ca: options.tls.ca, cert: options.tls.cert, key: options.tls.key } }
      : {}),
  });
  return createClient(service, transport);
}
