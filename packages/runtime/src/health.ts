import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import {
  type Health,
  HealthCheckResponseSchema,
  HealthListResponseSchema,
  HealthCheckResponse_ServingStatus as ServingStatus,
} from "@switchboard/proto/grpc/health/v1/health_pb.js";
import { AsyncQueue } from "./async-queue.js";

export { ServingStatus };

/**
 * The serving status of each service of a process, as `grpc.health.v1` reports it.
 * The empty name "" stands for the whole server.
 */
export class HealthRegistry {
  readonly #statuses = new Map<string, ServingStatus>();
  readonly #watchers = new Set<(service: string) => void>();

  set(service: string, status: ServingStatus): void {
    if (this.#statuses.get(service) === status) return;
    this.#statuses.set(service, status);
    for (const notify of this.#watchers) notify(service);
  }

  /** Sets every known service (and the server) at once, e.g. NOT_SERVING on shutdown. */
  setAll(status: ServingStatus): void {
    for (const service of [...this.#statuses.keys()]) this.set(service, status);
  }

  get(service: string): ServingStatus | undefined {
    return this.#statuses.get(service);
  }

  services(): ReadonlyMap<string, ServingStatus> {
    return this.#statuses;
  }

  /** The status of `service` now and at every change, until `signal` aborts. */
  async *watch(service: string, signal: AbortSignal): AsyncGenerator<ServingStatus> {
    const changes = new AsyncQueue<ServingStatus>(16, signal);
    const notify = (changed: string) => {
      if (changed === service) changes.push(this.get(service) ?? ServingStatus.SERVICE_UNKNOWN);
    };
    this.#watchers.add(notify);
    try {
      let last = this.get(service) ?? ServingStatus.SERVICE_UNKNOWN;
      yield last;
      for await (const status of changes) {
        if (status !== last) yield status;
        last = status;
      }
    } finally {
      this.#watchers.delete(notify);
    }
  }
}

/**
 * `grpc.health.v1.Health`. Watch streams end when `draining` aborts, so that they never hold
 * a shutting-down server open; they report NOT_SERVING first.
 */
export function healthService(registry: HealthRegistry, draining: AbortSignal): ServiceImpl<typeof Health> {
  return {
    check(request) {
      const status = registry.get(request.service);
      if (status === undefined) throw new ConnectError(`unknown service "${request.service}"`, Code.NotFound);
      return create(HealthCheckResponseSchema, { status });
    },
    async *watch(request, context) {
      const stop = AbortSignal.any([context.signal, draining]);
      for await (const status of registry.watch(request.service, stop)) {
        yield create(HealthCheckResponseSchema, { status });
      }
    },
    list() {
      const statuses: Record<string, ReturnType<typeof create<typeof HealthCheckResponseSchema>>> = {};
      for (const [service, status] of registry.services()) {
        statuses[service] = create(HealthCheckResponseSchema, { status });
      }
      return create(HealthListResponseSchema, { statuses });
    },
  };
}
