/**
 * The gateway and the real user-service and image-service on free ports, until Ctrl-C: for
 * developing the Python and Java SOAP clients without the fixed ports of `pnpm start`.
 *   node --conditions=source --import tsx test/serve-for-clients.ts
 */
import { startSystem } from "./system.js";

const system = await startSystem();
console.log(`SWITCHBOARD_SOAP_URL=${system.url}`);
const stop = async () => {
  await system.close();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
