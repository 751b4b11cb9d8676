/**
 * user-service as a library: what another package needs to run it in process (rest-gateway's
 * tests serve it behind the gateway). Production runs main.ts instead.
 */
export { type AppDeps, buildApp } from "./app.js";
export { userMigrations } from "./store/migrations.js";
export { UserStore } from "./store/user-store.js";
