/**
 * notification-service as a library: what another package needs to run it in process (rest-gateway's
 * tests serve it behind the gateway). Production runs main.ts instead.
 */
export { type AppDeps, buildApp, SOURCE } from "./app.js";
export { startConsumers } from "./consumers/start-consumers.js";
export { notificationMigrations } from "./store/migrations.js";
export { NotificationStore } from "./store/notification-store.js";
