import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import type { DescService } from "@bufbuild/protobuf";
import type { ConnectRouter, Interceptor } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { file_google_rpc_error_details } from "@switchboard/proto/google/rpc/error_details_pb.js";
import { Health } from "@switchboard/proto/grpc/health/v1/health_pb.js";
import { ServerReflection } from "@switchboard/proto/grpc/reflection/v1/reflection_pb.js";
import { ServerReflection as ServerReflectionV1Alpha } from "@switchboard/proto/grpc/reflection/v1alpha/reflection_pb.js";
import type { Logger } from "pino";
import type { AuthOptions } from "./auth/auth-options.js";
import { requestContextValues } from "./context.js";
import { HealthRegistry, healthService, ServingStatus } from "./health.js";
import { ReflectionIndex, reflectionService, reflectionServiceV1Alpha } from "./reflection.js";
import { drainedWithin, kitInterceptors, reportServing } from "./server-kit.js";
import {
  DEFAULT_SERVER_LIMITS,
  http2LimitOptions,
  type ServerLimits,
  watchSession,
  widenConnectionWindow,
} from "./server-limits.js";
import { unknownMethod } from "./unknown-method.js";

export const MiB = 1024 * 1024;
/** The largest message a server or client sends or accepts unless told otherwise: gRPC's usual 4 MiB. */
export const DEFAULT_MESSAGE_BYTES = 4 * MiB;

/** PEM contents. With `ca`, clients must present a certificate it signed (mutual TLS). */
export interface ServerTls {
  cert: string | Buffer;
  key: string | Buffer;
  ca?: string | Buffer;
}

export interface GrpcServerOptions {
  logger: Logger;
  /** Registers the service's handlers; long-lived streams should end when `draining` aborts. */
  routes: (router: ConnectRouter, kit: { draining: AbortSignal }) => void;
  /** Largest message accepted; larger ones fail with RESOURCE_EXHAUSTED. */
  readMaxBytes?: number;
  /** Largest message sent. */
  writeMaxBytes?: number;
  /** How long shutdown waits for in-flight calls before cutting them off. */
  drainTimeoutMs?: number;
  /**
   * Gzip responses for clients that accept it (default true). Turn it off for payloads that do
   * not compress — image bytes — where gzip only burns CPU: it made downloads 5–8× slower.
   * Compressed requests are accepted either way.
   */
  compressResponses?: boolean;
  interceptors?: Interceptor[];
  /**
   * Authenticate every call (bearer tokens; client certificates under mutual TLS). Without it no
   * call is authenticated and every caller is anonymous: only for unit tests.
   */
  auth?: AuthOptions;
  tls?: ServerTls;
  /** Per-connection limits (streams, headers, idle, keepalive); each defaults to DEFAULT_SERVER_LIMITS. */
  limits?: Partial<ServerLimits>;
}

/**
 * A gRPC server (also gRPC-Web and Connect on the same handlers) over HTTP/2 — cleartext,
 * TLS or mutual TLS — with health, reflection, size limits, one log line per RPC and a
 * graceful shutdown. It never reads the environment: main.ts passes everything in.
 */
export class GrpcServer {
  readonly health = new HealthRegistry();
  readonly #draining = new AbortController();
  readonly #cutOff = new AbortController();
  readonly #server: http2.Http2Server;
  readonly #sessions = new Set<http2.Http2Session>();
  readonly #services: DescService[] = [];
  readonly #logger: Logger;
  readonly #drainTimeoutMs: number;
  #stopped: Promise<void> | undefined;

  constructor(options: GrpcServerOptions) {
    this.#logger = options.logger;
    this.#drainTimeoutMs = options.drainTimeoutMs ?? 10_000;
    // Error details travel as google.protobuf.Any: reflection lets grpcurl decode them.
    const reflection = new ReflectionIndex(() => this.#services, [file_google_rpc_error_details]);
    const handler = connectNodeAdapter({
      readMaxBytes: options.readMaxBytes ?? DEFAULT_MESSAGE_BYTES,
      writeMaxBytes: options.writeMaxBytes ?? DEFAULT_MESSAGE_BYTES,
      shutdownSignal: this.#cutOff.signal,
      ...(options.compressResponses === false ? { compressMinBytes: Number.MAX_SAFE_INTEGER } : {}),
      interceptors: kitInterceptors(options.logger, options.interceptors, options.auth),
      contextValues: requestContextValues,
      fallback: unknownMethod,
      routes: (router) => {
        options.routes(router, { draining: this.#draining.signal });
        router.service(Health, healthService(this.health, this.#draining.signal));
        router.service(ServerReflection, reflectionService(reflection));
        router.service(ServerReflectionV1Alpha, reflectionServiceV1Alpha(reflection));
        for (const { service } of router.handlers) {
          if (!this.#services.includes(service)) this.#services.push(service);
        }
      },
    });
    const limits = { ...DEFAULT_SERVER_LIMITS, ...options.limits };
    this.#server = options.tls
      ? http2.createSecureServer(
          {
            ...http2LimitOptions(limits),
            cert: options.tls.cert,
            key: options.tls.key,
            ...(options.tls.ca ? { ca: options.tls.ca, requestCert: true, rejectUnauthorized: true } : {}),
            allowHTTP1: true,
          },
          handler,
        )
      : http2.createServer(http2LimitOptions(limits), handler);
    this.#server.on("session", (session) => {
      widenConnectionWindow(session, limits);
      watchSession(session, limits, this.#logger);
      this.#sessions.add(session);
      session.once("close", () => this.#sessions.delete(session));
    });
  }

  /** Every service this server answers, including health and reflection. */
  get services(): readonly DescService[] {
    return this.#services;
  }

  /** Aborts when shutdown begins. */
  get draining(): AbortSignal {
    return this.#draining.signal;
  }

  /** Starts listening (port 0 picks a free port) and reports every service SERVING. */
  async listen(port: number, host = "0.0.0.0"): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(port, host, () => {
        this.#server.off("error", reject);
        resolve();
      });
    });
    const bound = (this.#server.address() as AddressInfo).port;
    reportServing(this.health, this.#services, this.#logger, { port: bound, host });
    return bound;
  }

  /**
   * Graceful stop: report NOT_SERVING, end long-lived streams, refuse new calls (GOAWAY),
   * let in-flight calls finish up to the drain timeout, then cut off what is left.
   */
  shutdown(): Promise<void> {
    this.#stopped ??= this.#shutdown();
    return this.#stopped;
  }

  async #shutdown(): Promise<void> {
    this.#logger.info({ inFlightSessions: this.#sessions.size }, "shutting down");
    this.health.setAll(ServingStatus.NOT_SERVING);
    this.#draining.abort();
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const session of this.#sessions) session.close();
    if (!(await drainedWithin(closed, this.#drainTimeoutMs))) {
      this.#logger.warn({ drainTimeoutMs: this.#drainTimeoutMs }, "drain timed out; cutting off calls");
      this.#cutOff.abort();
      for (const session of this.#sessions) session.destroy();
      await closed;
    }
    this.#logger.info("stopped");
  }
}
