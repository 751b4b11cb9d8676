import type { DescMethod, DescService } from "@bufbuild/protobuf";
import {
  type ConnectRouter,
  createConnectRouter,
  createMethodImplSpec,
  createServiceImplSpec,
  type MethodImpl,
  type MethodImplSpec,
  type ServiceImpl,
} from "@connectrpc/connect";

/**
 * A ConnectRouter that also keeps the implementations registered on it, so that services
 * written for connect (`router.service(Desc, impl)`) can be served by another transport
 * unchanged. It registers everything on a real connect router too, which keeps `handlers`
 * (and with it the option to serve Connect and gRPC-Web from the same registrations).
 */
export class ImplRouter implements ConnectRouter {
  readonly specs: MethodImplSpec[] = [];
  readonly #connect = createConnectRouter();

  get handlers() {
    return this.#connect.handlers;
  }

  get services(): DescService[] {
    return [...new Set(this.specs.map((spec) => spec.method.parent))];
  }

  service<T extends DescService>(service: T, implementation: Partial<ServiceImpl<T>>): this {
    this.#connect.service(service, implementation);
    this.specs.push(...Object.values(createServiceImplSpec(service, implementation).methods));
    return this;
  }

  rpc<M extends DescMethod>(method: M, impl: MethodImpl<M>): this {
    this.#connect.rpc(method, impl);
    this.specs.push(createMethodImplSpec(method, impl));
    return this;
  }
}
