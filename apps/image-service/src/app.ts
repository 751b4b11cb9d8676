import type { Database } from "@switchboard/database";
import { ImageService } from "@switchboard/proto/switchboard/image/v1/image_service_pb.js";
import { GrpcJsServer, type Logger, type ServerTls } from "@switchboard/runtime";
import { ImageLibrary } from "./domain/image-library.js";
import type { UploadLimits } from "./domain/receive-image.js";
import { ImageHandlers } from "./handlers/image-service.js";
import type { BlobStore } from "./storage/blob-store.js";
import { ImageStore } from "./store/image-store.js";

export const SOURCE = "/switchboard/image-service";

export interface AppDeps {
  logger: Logger;
  db: Database;
  blobs: BlobStore;
  /** The outbox relay (or anything with wake()), told after each commit. */
  outbox: { wake(): void };
  limits: UploadLimits;
  /** The work queue for thumbnail jobs (default images.process). */
  jobsQueue?: string;
  tls?: ServerTls;
}

/** Builds image-service's server and library from its dependencies. Never listens: main.ts and tests do. */
export function buildApp(deps: AppDeps) {
  const store = new ImageStore(deps.db);
  const library = new ImageLibrary({
    db: deps.db,
    store,
    blobs: deps.blobs,
    outbox: deps.outbox,
    source: SOURCE,
    limits: deps.limits,
    ...(deps.jobsQueue ? { jobsQueue: deps.jobsQueue } : {}),
  });
  const server = new GrpcJsServer({
    logger: deps.logger,
    // A chunk plus its framing and, in the first message, the metadata.
    readMaxBytes: deps.limits.maxChunkBytes + 64 * 1024,
    compressResponses: false, // image bytes do not compress

    ...(deps.tls ? { tls: deps.tls } : {}),
    routes: (router) => router.service(ImageService, new ImageHandlers(library, store)),
  });
  return { server, library, store };
}
