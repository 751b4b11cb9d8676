import { pathToFileURL } from "node:url";
import { connectFromEnv } from "../src/index.js";

/**
 * Runs an example's `run(clients)` against the environment's services and prints its lines, when
 * the example's file is the program (`node examples/users.js`) — not when a test imports it.
 */
export async function runIfMain(moduleUrl, run) {
  if (!process.argv[1] || moduleUrl !== pathToFileURL(process.argv[1]).href) return;
  const clients = connectFromEnv();
  try {
    console.log((await run(clients)).join("\n"));
  } finally {
    clients.close();
  }
}
