import type { DescService } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import * as grpc from "@grpc/grpc-js";
import { file_google_rpc_error_details } from "@switchboard/proto/google/rpc/error_details_pb.js";
import { Health } from "@switchboard/proto/grpc/health/v1/health_pb.js";
import { ServerReflection } from "@switchboard/proto/grpc/reflection/v1/reflection_pb.js";
import { ServerReflection as ServerReflectionV1Alpha } from "@switchboard/proto/grpc/reflection/v1alpha/reflection_pb.js";
import type { Logger } from "pino";
import type { GrpcServerOptions } from "../grpc-server.js";
import { HealthRegistry, healthService, ServingStatus } from "../health.js";
import { ReflectionIndex, reflectionService, reflectionServiceV1Alpha } from "../reflection.js";
import { drainedWithin, kitInterceptors, reportServing } from "../server-kit.js";
import { DEFAULT_SERVER_LIMITS } from "../server-limits.js";
import { grpcJsContextValues } from "./context-values.js";
import { setFlowControlWindow } from "./flow-control-window.js";
import { LiveCalls } from "./handler-context.js";
import { ImplRouter } from "./impl-router.js";
import { methodHandler, serializers } from "./method-handler.js";

const MiB = 1024 * 1024;
/** Why handlers still running when the drain timeout ends are aborted. */
const CUT_OFF = new ConnectError("the server stopped before the call finished", Code.Canceled);

/**
 * The service kit's gRPC server on @grpc/grpc-js instead of connect-node: the same options, the
 * same handlers (connect ServiceImpls registered through `routes`), the same interceptors
 * (logging, validation, cancelled streams, the service's own), health, reflection, size limits,
 * TLS and graceful drain — at grpc-js's per-call cost (see packages/rpc-bench). It speaks gRPC
 * only: Connect and gRPC-Web for browsers stay with connect-node (GrpcServer, the REST gateway).
 * Responses are never compressed (grpc-js has no size threshold; compressResponses is ignored);
 * compressed requests are accepted.
 */
export class GrpcJsServer {
  readonly health = new HealthRegistry();
  readonly #draining = new AbortController();
  readonly #live = new LiveCalls();
  readonly #server: grpc.Server;
  readonly #services: DescService[];
  readonly #logger: Logger;
  readonly #drainTimeoutMs: number;
  readonly #credentials: grpc.ServerCredentials;
  #stopped: Promise<void> | undefined;

  constructor(options: GrpcServerOptions) {
    this.#logger = options.logger;
    this.#drainTimeoutMs = options.drainTimeoutMs ?? 10_000;
    const limits = { ...DEFAULT_SERVER_LIMITS, ...options.limits };
    this.#server = new grpc.Server({
      "grpc.max_receive_message_length": options.readMaxBytes ?? 4 * MiB,
      "grpc.max_send_message_length": options.writeMaxBytes ?? 4 * MiB,
      // The same per-connection limits as GrpcServer (server-limits.ts), in grpc-js's terms.
      "grpc.max_concurrent_streams": limits.maxConcurrentStreams,
      "grpc.max_metadata_size": limits.maxHeaderListBytes,
      "grpc-node.max_session_memory": limits.maxSessionMemoryMiB,
      "grpc.max_connection_idle_ms": limits.idleTimeoutMs,
      "grpc.keepalive_time_ms": limits.keepaliveIntervalMs,
      "grpc.keepalive_timeout_ms": limits.keepaliveTimeoutMs,
      // Channelz bookkeeping runs on every call (the profile showed it); nothing here reads it.
      "grpc.enable_channelz": 0,
    });
    setFlowControlWindow(this.#server, limits.flowControlWindowBytes);
    const router = new ImplRouter();
    options.routes(router, { draining: this.#draining.signal });
    const reflection = new ReflectionIndex(() => this.#services, [file_google_rpc_error_details]);
    router.service(Health, healthService(this.health, this.#draining.signal));
    router.service(ServerReflection, reflectionService(reflection));
    router.service(ServerReflectionV1Alpha, reflectionServiceV1Alpha(reflection));
    this.#services = router.services;
    const environment = {
      interceptors: kitInterceptors(options.logger, options.interceptors, options.auth),
      live: this.#live,
      // Only under mutual TLS does a client certificate name a service (grpc-js has verified it).
      contextValues: (call: Parameters<typeof grpcJsContextValues>[0]) =>
        grpcJsContextValues(call, Boolean(options.tls?.ca)),
    };
    for (const spec of router.specs) {
      const { type, handler } = methodHandler(spec, environment);
      const { serialize, deserialize } = serializers(spec);
      this.#server.register(
        `/${spec.method.parent.typeName}/${spec.method.name}`,
        handler,
        serialize,
        deserialize,
        type,
      );
    }
    this.#credentials = options.tls
      ? grpc.ServerCredentials.createSsl(
          options.tls.ca ? Buffer.from(options.tls.ca) : null,
          [{ private_key: Buffer.from(options.tls.key), cert_chain: Buffer.from(options.tls.cert) }],
          Boolean(options.tls.ca),
        )
      : grpc.ServerCredentials.createInsecure();
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
    const bound = await new Promise<number>((resolve, reject) =>
      this.#server.bindAsync(
        `${host.includes(":") ? `[${host}]` : host}:${port}`,
        this.#credentials,
        (error, p) => (error ? reject(error) : resolve(p)),
      ),
    );
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
    this.#logger.info("shutting down");
    this.health.setAll(ServingStatus.NOT_SERVING);
    this.#draining.abort();
    const closed = new Promise<void>((resolve) => this.#server.tryShutdown(() => resolve()));
    if (!(await drainedWithin(closed, this.#drainTimeoutMs))) {
      this.#logger.warn({ drainTimeoutMs: this.#drainTimeoutMs }, "drain timed out; cutting off calls");
      this.#live.abortAll(CUT_OFF);
      this.#server.forceShutdown();
    }
    this.#logger.info("stopped");
  }
}
