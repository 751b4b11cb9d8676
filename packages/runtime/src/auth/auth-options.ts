import type { TokenVerifier } from "./token-verifier.js";

/** How a server authenticates its callers (GrpcServerOptions.auth). */
export interface AuthOptions {
  verifier: TokenVerifier;
  /**
   * Services that may call without a token under mutual TLS, by the name in their client certificate, and the
   * rpcs each may call: { "user-service": ["switchboard.image.v1.ImageService/UploadImage", ...] }.
   */
  servicePeers?: Record<string, readonly string[]>;
  /** Whole services open to anonymous callers (e.g. "user.UsuarioServicio" when SEED_CONTRACT=open). */
  openServices?: readonly string[];
}
