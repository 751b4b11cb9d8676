/**
 * The gateway and the real user-service and image-service on free ports, until Ctrl-C: for
 * developing the Python and Java SOAP clients without the fixed ports of `pnpm start`. With
 * TLS_CERT_FILE, TLS_KEY_FILE (and TLS_CA_FILE for mutual TLS) the gateway serves HTTPS. The first
 * admin has the contract's default credentials (printed, as the clients read them).
 *   node --conditions=source --import tsx test/serve-for-clients.ts
 */
import { serverTlsFromFiles } from "@switchboard/runtime";
import { startSystem, TEST_ADMIN } from "./system.js";

const tls = serverTlsFromFiles(process.env);
const system = await startSystem(tls ? { tls } : {});
const { port } = new URL(system.url);
console.log(`SWITCHBOARD_SOAP_URL=${tls ? `https://localhost:${port}` : system.url}`);
console.log(`SWITCHBOARD_ADMIN_EMAIL=${TEST_ADMIN.email} SWITCHBOARD_ADMIN_PASSWORD=${TEST_ADMIN.password}`);
const stop = async () => {
  await system.close();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
