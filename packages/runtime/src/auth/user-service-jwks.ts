import { AuthService } from "@switchboard/proto/switchboard/auth/v1/auth_service_pb.js";
import { type ClientTls, createServiceClient } from "../grpc-client.js";
import { clientTlsFromFiles, type TlsFiles } from "../tls-files.js";
import { type JsonWebKey, JwksKeys } from "./jwks-keys.js";
import { TokenVerifier } from "./token-verifier.js";

/** Fetches the JWKS from user-service (AuthService.GetJwks over gRPC), for JwksKeys. */
export function jwksOfUserService(baseUrl: string, tls?: ClientTls): () => Promise<{ keys: JsonWebKey[] }> {
  const client = createServiceClient(AuthService, { baseUrl, ...(tls ? { tls } : {}) });
  return async () => {
    const { keys } = await client.getJwks({});
    return { keys: keys.map(({ kty, crv, x, y, kid, alg, use }) => ({ kty, crv, x, y, kid, alg, use })) };
  };
}

/**
 * A service's token verifier: against user-service's keys, fetched when first needed and again
 * when a token names a key not seen yet. Over TLS from `files` unless `baseUrl` is http:.
 */
export function userServiceVerifier(baseUrl: string, files: TlsFiles): TokenVerifier {
  const tls = baseUrl.startsWith("http:") ? undefined : clientTlsFromFiles(files);
  return new TokenVerifier({ keys: new JwksKeys({ fetchJwks: jwksOfUserService(baseUrl, tls) }) });
}
