import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "..");
const read = (...path: string[]) => readFileSync(join(root, ...path), "utf8");

// kustomize reads only files under its overlay, so the k8s dev broker runs a copy of infra/'s scripts.
describe("the k8s dev overlay's Mosquitto scripts", () => {
  it.each(["container.sh", "accounts.sh"])("%s is the same as infra/mosquitto/'s", (file) => {
    expect(read("k8s", "overlays", "dev", "brokers", "mosquitto", file)).toBe(
      read("infra", "mosquitto", file),
    );
  });
});
