import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { clientCertificate, curlEnvironment } from "./tls-client.js";

/** The README's "curl it" block, exactly as written. */
const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
const block = /<!-- curl-it:start -->\s*```bash\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
const lines = block.split("\n").filter((line) => line.trim() !== "");

describe(`the README's curl lines, verbatim, against the running system${clientCertificate ? " (over mutual TLS)" : ""}`, () => {
  it("has lines to run", () => {
    expect(lines.length).toBeGreaterThan(10);
  });

  it("runs every line in order in one shell, each succeeding", () => {
    // One bash, stopping at the first failing line (named): later lines use what earlier ones set.
    const script = ["set -e", `trap 'echo "README curl line $((LINENO - 2)) failed" >&2' ERR`, ...lines].join(
      "\n",
    );
    // Under --tls the same lines reach https://localhost:8080 with the client certificate (a .curlrc).
    const output = execFileSync("bash", ["-c", script], {
      encoding: "utf8",
      timeout: 60_000,
      env: curlEnvironment(),
    });
    console.log(output); // the curl session, for the record
    expect(output).toContain('"user"');
    expect(output).toMatch(/"code":16,.* 401$/m); // the GET without a token: UNAUTHENTICATED
    expect(output).toMatch(/304$/m);
    expect(output).toMatch(/^405$/m);
    expect(output).toContain("event: notification");
  }, 90_000);
});
