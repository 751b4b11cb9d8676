import { pathToFileURL } from "node:url";

/**
 * Runs an example's `main()` (which connects, logs in as it needs, and resolves with lines) and
 * prints its lines, when the example's file is the program (`node examples/users.js`) — not when a
 * test imports it.
 */
export async function runIfMain(moduleUrl, main) {
  if (!process.argv[1] || moduleUrl !== pathToFileURL(process.argv[1]).href) return;
  console.log((await main()).join("\n"));
}

/** Runs `use(...clients)` and closes every one of them, whatever happens. */
export async function using(clients, use) {
  try {
    return await use(...clients);
  } finally {
    for (const client of clients) client.close();
  }
}
