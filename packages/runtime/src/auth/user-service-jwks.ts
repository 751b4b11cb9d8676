import { AuthService } from "@switchboard/proto/switchboard/auth/v1/auth_service_pb.js";
import { type ClientTls, createServiceClient } from "../grpc-client.js";
import type { JsonWebKey } from "./jwks-keys.js";

/** Fetches the JWKS from user-service (AuthService.GetJwks over gRPC), for JwksKeys. */
export function jwksOfUserService(baseUrl: string, tls?: ClientTls): () => Promise<{ keys: JsonWebKey[] }> {
  const client = createServiceClient(AuthService, { baseUrl, ...(tls ? { tls } : {}) });
  return async () => {
    const { keys } = await client.getJwks({});
    return { keys: keys.map(({ kty, crv, x, y, kid, alg, use }) => ({ kty, crv, x, y, kid, alg, use })) };
  };
}
