import { setting } from "./config.js";

/** The settings every service has; a service's config.ts spreads them in with its own defaults. */
export function serviceSettings(defaults: { port: number; dataDir: string }) {
  return {
    PORT: setting.port(defaults.port),
    LOG_LEVEL: setting.oneOf(["trace", "debug", "info", "warn", "error"], "info"),
    PRETTY_LOGS: setting.boolean(false),
    /** Where the embedded database (unless DATABASE_URL is set) and the service's files live. */
    DATA_DIR: setting.string(defaults.dataDir),
    /** postgres://… to use PostgreSQL instead of the embedded PGlite. */
    DATABASE_URL: setting.optionalUrl(),
  };
}
