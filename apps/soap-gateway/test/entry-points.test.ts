/**
 * The gateway's tests and bench run the services through their packages' entry points ("exports"),
 * never through a path into their src/: a service may reorganise its insides without breaking us.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";

const root = join(import.meta.dirname, "..");
const DEEP_IMPORT = /from\s+["'](@switchboard\/[a-z-]+-service\/[^"']+)["']/g;

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".ts"))
    .map((file) => join(root, dir, file));
}

it("imports no service by a path into its package", () => {
  const deep = [...sources("test"), ...sources("bench"), ...sources("src")].flatMap((file) =>
    [...readFileSync(file, "utf8").matchAll(DEEP_IMPORT)].map((match) => `${file}: ${match[1]}`),
  );
  expect(deep).toEqual([]);
});
