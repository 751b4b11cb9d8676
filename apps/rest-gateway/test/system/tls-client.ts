import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Agent, setGlobalDispatcher } from "undici";

/**
 * The client's certificate files under `pnpm start --tls` (scripts/system-test.sh exports them as
 * for every client: the CA to trust, a client certificate and key for mutual TLS); none: plaintext.
 */
export const clientCertificate = process.env.SWITCHBOARD_CA_FILE
  ? {
      caFile: process.env.SWITCHBOARD_CA_FILE,
      certFile: process.env.SWITCHBOARD_CERT_FILE ?? "",
      keyFile: process.env.SWITCHBOARD_KEY_FILE ?? "",
    }
  : undefined;

/**
 * Under TLS, every `fetch` of these tests (and connect-web's, which uses the global one) goes over
 * mutual TLS: Node's fetch uses the global dispatcher that undici's setGlobalDispatcher sets.
 */
export function useClientCertificateForFetch() {
  if (!clientCertificate) return;
  setGlobalDispatcher(
    new Agent({
      connect: {
        ca: readFileSync(clientCertificate.caFile),
        cert: readFileSync(clientCertificate.certFile),
        key: readFileSync(clientCertificate.keyFile),
      },
    }),
  );
}

/**
 * Environment for a shell whose curl lines say `localhost:8080` verbatim: under TLS a .curlrc
 * (CURL_HOME) makes a scheme-less URL https and presents the client certificate; else nothing.
 */
export function curlEnvironment(): NodeJS.ProcessEnv {
  if (!clientCertificate) return process.env;
  const home = mkdtempSync(join(tmpdir(), "rest-gateway-curl-"));
  const { caFile, certFile, keyFile } = clientCertificate;
  writeFileSync(
    join(home, ".curlrc"),
    `proto-default = https\ncacert = "${caFile}"\ncert = "${certFile}"\nkey = "${keyFile}"\n`,
  );
  return { ...process.env, CURL_HOME: home };
}
