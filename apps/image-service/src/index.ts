/**
 * image-service as a library: what another package needs to run it in process (user-service's
 * tests serve it beside user.UsuarioServicio). Production runs main.ts instead.
 */
export { type AppDeps, buildApp, SOURCE } from "./app.js";
export { receiveImage, type UploadLimits } from "./domain/receive-image.js";
export { BlobStore } from "./storage/blob-store.js";
export { sweepOrphanBlobs } from "./storage/blob-sweeper.js";
export { imageMigrations } from "./store/migrations.js";
