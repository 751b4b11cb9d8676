import type { DescService } from "@bufbuild/protobuf";
import {
  type Client,
  Code,
  ConnectError,
  createClient,
  type Interceptor,
  type Transport,
} from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { bearerToken } from "./auth/bearer-token.js";
import { DEFAULT_MESSAGE_BYTES } from "./grpc-server.js";
import { parseDnsTarget, type ResolveAddresses, roundRobinTransport } from "./round-robin-transport.js";

export interface ClientTls {
  /** PEM of the CA that signed the server's certificate. */
  ca: string | Buffer;
  /** Our own certificate and key, for servers that require mutual TLS. */
  cert?: string | Buffer;
  key?: string | Buffer;
}

export interface ServiceClientOptions {
  /**
   * e.g. "http://127.0.0.1:50051" or "https://user-service:50051"; or "dns:///image-service-grpc:50052"
   * to spread calls round robin over every address of the name (a headless Service), over TLS when
   * `tls` is set.
   */
  baseUrl: string;
  /** Deadline put on every call that does not set its own. */
  timeoutMs?: number;
  /** Attempts for a unary call that fails with UNAVAILABLE (1 = no retry). */
  maxAttempts?: number;
  readMaxBytes?: number;
  writeMaxBytes?: number;
  tls?: ClientTls;
  interceptors?: Interceptor[];
  /** The bearer token sent on every call (`authorization: Bearer <token>`), asked for each call. */
  token?: () => string | Promise<string>;
  /** For dns:/// targets: how names are resolved (default: the system resolver, every address). */
  resolve?: ResolveAddresses;
  /** For dns:/// targets: how often the name is resolved again (default 10 s). */
  resolveEveryMs?: number;
}

/**
 * Whether a call failed without the server processing it: UNAVAILABLE, or an HTTP/2 stream the
 * server refused (REFUSED_STREAM, RFC 9113 §8.7: a server shutting down, a pod being replaced),
 * which connect-node reports as INTERNAL while gRPC's HTTP/2 mapping says UNAVAILABLE.
 */
export function isUnavailable(error: unknown): boolean {
  const failure = ConnectError.from(error);
  return failure.code === Code.Unavailable || failure.rawMessage.includes("NGHTTP2_REFUSED_STREAM");
}

/**
 * Retries unary calls that fail with UNAVAILABLE (see isUnavailable) — the one code that says "nothing happened,
 * try again" — with full-jitter exponential backoff, never past the call's deadline.
 */
export function retryUnavailable(maxAttempts: number, baseDelayMs = 50, maxDelayMs = 1_000): Interceptor {
  return (next) => async (request) => {
    if (request.stream) return next(request);
    for (let attempt = 1; ; attempt++) {
      try {
        return await next(request);
      } catch (error) {
        if (!isUnavailable(error) || attempt >= maxAttempts || request.signal.aborted) throw error;
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
  return createClient(service, createServiceTransport(options));
}

/**
 * The transport under createServiceClient, for callers that dispatch by descriptor rather than by
 * a typed client (a gateway forwarding any rpc): the same deadline, retries and limits, and
 * round robin over every address of a `dns:///` target.
 */
export function createServiceTransport(options: ServiceClientOptions): Transport {
  const dns = parseDnsTarget(options.baseUrl);
  if (!dns) return grpcTransport(options);
  const transportTo = (baseUrl: string) =>
    // The certificate names the service, not the pod's address.
    grpcTransport({ ...options, baseUrl }, options.tls ? { servername: dns.host } : {});
  return roundRobinTransport({
    ...dns,
    transportTo,
    scheme: options.tls ? "https" : "http",
    ...(options.resolve ? { resolve: options.resolve } : {}),
    ...(options.resolveEveryMs === undefined ? {} : { refreshMs: options.resolveEveryMs }),
  });
}

function grpcTransport(options: ServiceClientOptions, tlsOptions: { servername?: string } = {}): Transport {
  return createGrpcTransport({
    baseUrl: options.baseUrl,
    defaultTimeoutMs: options.timeoutMs ?? 5_000,
    readMaxBytes: options.readMaxBytes ?? DEFAULT_MESSAGE_BYTES,
    writeMaxBytes: options.writeMaxBytes ?? DEFAULT_MESSAGE_BYTES,
    interceptors: [
      retryUnavailable(options.maxAttempts ?? 3),
      ...(options.token ? [bearerToken(options.token)] : []),
      ...(options.interceptors ?? []),
    ],
    ...(options.tls
      ? { nodeOptions: { ca: options.tls.ca, cert: options.tls.cert, key: options.tls.key, ...tlsOptions } }
      : {}),
  });
}
