import { type DescMethod, getOption } from "@bufbuild/protobuf";
import type { Interceptor } from "@connectrpc/connect";
import { allow_anonymous } from "@switchboard/proto/switchboard/auth/v1/access_pb.js";
import type { AuthOptions } from "./auth-options.js";
import { type Caller, callerKey } from "./caller.js";
import { certifiedServiceKey } from "./service-peer.js";
import { unauthenticated } from "./unauthenticated.js";

/** Services every server answers without a token: health checks and reflection. */
const ALWAYS_OPEN = /^grpc\.(health\.v1\.Health|reflection\.)/;
const BEARER = /^Bearer +([^\s]+)\s*$/i;

/**
 * Authenticates every call before validation and the handler: a bearer token, when sent, is
 * verified (even on open rpcs: a bad token is never ignored); without one, a client certificate
 * naming a service admits the rpcs listed for it in servicePeers; otherwise only open rpcs
 * (allow_anonymous, health, reflection, openServices) run, as anonymous. The handler reads the
 * result with callerOf(context). Who may do what is each service's own decision.
 */
export function authInterceptor(options: AuthOptions): Interceptor {
  const openServices = new Set(options.openServices ?? []);
  // Read once per method: getOption decodes the method's options each time it is asked.
  const openness = new WeakMap<DescMethod, boolean>();
  const isOpen = (method: DescMethod) => {
    let open = openness.get(method);
    if (open === undefined) {
      open =
        getOption(method, allow_anonymous) ||
        ALWAYS_OPEN.test(method.parent.typeName) ||
        openServices.has(method.parent.typeName);
      openness.set(method, open);
    }
    return open;
  };
  return (next) => async (request) => {
    const authorization = request.header.get("authorization");
    let caller: Caller;
    if (authorization !== null) {
      const token = BEARER.exec(authorization)?.[1];
      if (!token) throw unauthenticated('authorization must be "Bearer <token>"');
      caller = await options.verifier.verify(token);
    } else {
      const service = request.contextValues.get(certifiedServiceKey);
      const rpc = `${request.service.typeName}/${request.method.name}`;
      if (service && options.servicePeers?.[service]?.includes(rpc)) {
        caller = { kind: "service", service };
      } else if (isOpen(request.method)) {
        caller = { kind: "anonymous" };
      } else {
        throw unauthenticated("this rpc needs a bearer token");
      }
    }
    request.contextValues.set(callerKey, caller);
    return next(request);
  };
}
