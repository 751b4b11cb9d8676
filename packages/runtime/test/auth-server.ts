import type { HandlerContext } from "@connectrpc/connect";
import { AuthService } from "@switchboard/proto/switchboard/auth/v1/auth_service_pb.js";
import { EchoService } from "@switchboard/proto/switchboard/echo/v1/echo_pb.js";
import { memoryLogger, serveOnPort0 } from "@switchboard/testing";
import type { AuthOptions } from "../src/auth/auth-options.js";
import { type Caller, callerOf } from "../src/auth/caller.js";
import type { ServerTls } from "../src/grpc-server.js";
import { echoService } from "./echo-service.js";
import { ServerUnderTest } from "./server-under-test.js";

/**
 * A server with auth: EchoService (every rpc needs a caller) and AuthService.GetJwks (allow_anonymous);
 * `seen.callers` lists the caller of each Echo and GetJwks its handler ran, `logs` its log lines.
 */
export async function serveWithAuth(auth: AuthOptions, tls?: ServerTls) {
  const seen: { callers: Caller[] } = { callers: [] };
  const remember = (context: HandlerContext) => seen.callers.push(callerOf(context));
  const logs = memoryLogger();
  const server = new ServerUnderTest({
    logger: logs.logger,
    auth,
    ...(tls ? { tls } : {}),
    routes: (router) => {
      router.service(EchoService, {
        ...echoService,
        echo(request, context) {
          remember(context);
          return { text: request.text };
        },
      });
      router.service(AuthService, {
        getJwks(_request, context) {
          remember(context);
          return { keys: [] };
        },
      });
    },
  });
  const served = await serveOnPort0(server);
  return { ...served, seen, logs };
}
