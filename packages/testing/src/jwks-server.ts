import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { AuthService } from "@switchboard/proto/switchboard/auth/v1/auth_service_pb.js";
import type { TestTokens } from "./test-tokens.js";

/**
 * AuthService.GetJwks over gRPC on a free loopback port, serving `tokens`' public key: the one
 * call a service started as its own process (main.ts) makes to user-service, so that it verifies
 * the test's tokens with its real JwksKeys. Pass `url` as USER_SERVICE_URL.
 */
export async function serveJwks(
  tokens: Pick<TestTokens, "jwks">,
): Promise<{ url: string; close(): Promise<void> }> {
  const keys = tokens.jwks.keys.map(({ kty, crv, x, y, kid, alg, use }) => ({
    kty,
    crv,
    x,
    y,
    kid,
    alg,
    use,
  }));
  const server = http2.createServer(
    connectNodeAdapter({ routes: (router) => router.service(AuthService, { getJwks: () => ({ keys }) }) }),
  );
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on("session", (session) => {
    sessions.add(session);
    session.on("close", () => sessions.delete(session));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const session of sessions) session.destroy(); // a client's idle connection would hold close() open
      }),
  };
}
