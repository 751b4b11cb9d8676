import { type ConfigError, loadConfig } from "@switchboard/runtime";
import { describe, expect, it } from "vitest";
import { configSpec, DEFAULT_ADMIN_PASSWORD } from "./config.js";

describe("user-service's identity settings", () => {
  it("default to the dev admin, 15-minute access tokens, daily key rotation and an open seed contract", () => {
    const config = loadConfig(configSpec, {});
    expect(config).toMatchObject({
      ADMIN_EMAIL: "admin@example.com",
      ADMIN_PASSWORD: DEFAULT_ADMIN_PASSWORD,
      ACCESS_TOKEN_TTL_SECONDS: 900,
      SIGNING_KEY_ROTATION_SECONDS: 86_400,
      SEED_CONTRACT: "open",
    });
    expect(config.SERVICE_CLIENTS.size).toBe(0);
  });

  it("reads SERVICE_CLIENTS as name=secret pairs", () => {
    const config = loadConfig(configSpec, { SERVICE_CLIENTS: "image-service=a1,notification-service=b2" });
    expect(Object.fromEntries(config.SERVICE_CLIENTS)).toEqual({
      "image-service": "a1",
      "notification-service": "b2",
    });
  });

  it("names every bad variable at once, and never echoes a password or a secret", () => {
    let problems: readonly string[] = [];
    try {
      loadConfig(configSpec, {
        ADMIN_EMAIL: "nobody",
        ADMIN_PASSWORD: "short",
        SERVICE_CLIENTS: "s3cr3t-value",
        SEED_CONTRACT: "maybe",
        ACCESS_TOKEN_TTL_SECONDS: "5",
      });
    } catch (error) {
      problems = (error as ConfigError).problems;
    }
    expect(problems.map((problem) => problem.split(" ")[0])).toEqual([
      "ADMIN_EMAIL",
      "ADMIN_PASSWORD",
      "ACCESS_TOKEN_TTL_SECONDS",
      "SERVICE_CLIENTS",
      "SEED_CONTRACT",
    ]);
    expect(problems.join("\n")).not.toMatch(/short|s3cr3t-value/);
  });
});
