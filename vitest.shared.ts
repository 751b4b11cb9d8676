import { defaultServerConditions } from "vite";
import { defineConfig } from "vitest/config";

/**
 * Tests run the TypeScript sources of workspace packages (the `source` export condition),
 * so no build is needed before testing.
 */
export default defineConfig({
  resolve: { conditions: ["source", ...defaultServerConditions] },
  ssr: { resolve: { conditions: ["source", ...defaultServerConditions] } },
  test: {
    testTimeout: 30_000,
    hookTimeout: 120_000,
    reporters: process.env.CI ? ["default", "junit"] : ["default"],
    outputFile: { junit: "reports/junit.xml" },
  },
});
