import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "./brokers.js";

/**
 * A fresh set of the development certificates (scripts/dev-certs.sh, as `pnpm start --tls` makes
 * them) in a temporary folder: `file(name)` is a path in it, `client` the PEMs a client presents.
 */
export function devCertificates(prefix = "dev-certs-") {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  execFileSync("bash", [join(repoRoot(), "scripts", "dev-certs.sh"), dir], { stdio: "ignore" });
  const file = (name: string) => join(dir, name);
  return {
    dir,
    file,
    client: {
      ca: readFileSync(file("ca.pem")),
      cert: readFileSync(file("client.pem")),
      key: readFileSync(file("client-key.pem")),
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
