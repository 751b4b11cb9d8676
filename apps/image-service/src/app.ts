import { availableParallelism } from "node:os";
import type { Database } from "@switchboard/database";
import { Outbox } from "@switchboard/messaging";
import { ImageService } from "@switchboard/proto/switchboard/image/v1/image_service_pb.js";
import {
  type AuthOptions,
  ConcurrencyGate,
  GrpcJsServer,
  type Logger,
  type ServerTls,
  type TokenVerifier,
} from "@switchboard/runtime";
import { RPCS_OF_ACTION, SERVICE_GRANTS } from "./domain/image-access.js";
import { ImageLibrary } from "./domain/image-library.js";
import type { UploadLimits } from "./domain/receive-image.js";
import { ImageHandlers } from "./handlers/image-service.js";
import type { BlobStore } from "./storage/blob-store.js";
import { ImageStore } from "./store/image-store.js";

export const SOURCE = "/switchboard/image-service";

/**
 * The rpcs a service may call without a token under mutual TLS (named by its client certificate):
 * those of its grants in the access policy, which decides the rest.
 */
export const SERVICE_PEERS: NonNullable<AuthOptions["servicePeers"]> = Object.fromEntries(
  Object.entries(SERVICE_GRANTS).map(([service, actions]) => [
    service,
    actions.flatMap((action) => RPCS_OF_ACTION[action].map((rpc) => `${ImageService.typeName}/${rpc}`)),
  ]),
);

export interface AppDeps {
  logger: Logger;
  db: Database;
  blobs: BlobStore;
  /** The outbox relay (or anything with wake()), told after each commit. */
  outbox: { wake(): void };
  limits: UploadLimits;
  /** The work queue for thumbnail jobs (config JOBS_QUEUE). */
  jobsQueue: string;
  tls?: ServerTls;
  /** Verifies the bearer token of every call (against user-service's JWKS in main.ts). */
  verifier: TokenVerifier;
  /**
   * MiB of decoded pixels processing may hold at once (at most one render per core within it), and
   * how many calls may wait for their turn (default: 256 MiB, twice the cores).
   */
  processing?: { memoryMiB: number; maxWaiting: number };
}

/** Builds image-service's server and library from its dependencies. Never listens: main.ts and tests do. */
export function buildApp(deps: AppDeps) {
  const store = new ImageStore(deps.db);
  const memoryMiB = deps.processing?.memoryMiB ?? 256;
  const library = new ImageLibrary({
    store,
    blobs: deps.blobs,
    outbox: new Outbox(deps.db, { source: SOURCE, relay: deps.outbox }),
    limits: deps.limits,
    jobsQueue: deps.jobsQueue,
    processing: new ConcurrencyGate({
      slots: memoryMiB,
      maxWaiting: deps.processing?.maxWaiting ?? 2 * availableParallelism(),
      what: "image processing calls",
    }),
    minRenderMiB: Math.floor(memoryMiB / availableParallelism()),
  });
  const server = new GrpcJsServer({
    logger: deps.logger,
    // A chunk plus its framing and, in the first message, the metadata.
    readMaxBytes: deps.limits.maxChunkBytes + 64 * 1024,
    compressResponses: false, // image bytes do not compress

    ...(deps.tls ? { tls: deps.tls } : {}),
    auth: { verifier: deps.verifier, servicePeers: SERVICE_PEERS },
    routes: (router) => router.service(ImageService, new ImageHandlers(library, store)),
  });
  return { server, library, store };
}
