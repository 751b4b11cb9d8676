import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, setting } from "./config.js";

const spec = {
  PORT: setting.port(50051),
  LOG_LEVEL: setting.oneOf(["debug", "info", "warn"], "info"),
  DATABASE_URL: setting.optionalUrl(),
  PRETTY: setting.boolean(false),
  SERVICE_NAME: setting.string(),
};

describe("loadConfig", () => {
  it("parses typed values and applies defaults", () => {
    const config = loadConfig(spec, { PORT: "7000", SERVICE_NAME: "users", PRETTY: "yes" });
    expect(config).toEqual({
      PORT: 7000,
      LOG_LEVEL: "info",
      DATABASE_URL: undefined,
      PRETTY: true,
      SERVICE_NAME: "users",
    });
  });

  it("returns a frozen object", () => {
    const config = loadConfig(spec, { SERVICE_NAME: "users" });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it("names every bad variable at once", () => {
    const attempt = () => loadConfig(spec, { PORT: "http", LOG_LEVEL: "loud", DATABASE_URL: "::" });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      expect((error as ConfigError).problems).toEqual([
        'PORT must be an integer from 0 to 65535 (got "http")',
        'LOG_LEVEL must be one of debug, info, warn (got "loud")',
        'DATABASE_URL must be a URL (got "::")',
        "SERVICE_NAME is required",
      ]);
    }
  });

  it("rejects ports out of range and non-integers", () => {
    expect(() => loadConfig({ PORT: setting.port() }, { PORT: "70000" })).toThrow(/PORT must be an integer/);
    expect(() => loadConfig({ PORT: setting.port() }, { PORT: "80.5" })).toThrow(/PORT must be an integer/);
  });
});
