// The running system, as the stock client sees it: stubs from the environment's addresses (and TLS),
// anonymous and logged in as the admin; which services answer — so each suite runs, or is skipped
// saying why; and fresh users logged in like a person (newUser).
import { afterAll } from "vitest";
import { adminClients, newUserClients } from "../../examples/accounts.js";
import { addressesFromEnv, connectFromEnv } from "../../src/index.js";

export const addresses = addressesFromEnv();
/** Anonymous stubs: sign-up, login and the seed contract answer them. */
export const clients = connectFromEnv();
const opened = [clients];
afterAll(() => {
  for (const open of opened) open.close();
});

function ready(client, timeoutMs = 3_000) {
  return new Promise((resolve) => client.waitForReady(Date.now() + timeoutMs, (error) => resolve(!error)));
}

const [users, images, notifications] = await Promise.all([
  ready(clients.users),
  ready(clients.images),
  ready(clients.notifications),
]);
export const up = { users, images, notifications };

/** Logged in as the dev admin (undefined when user-service does not answer). */
export const admin = users ? await adminClients() : undefined;
if (admin) opened.push(admin);

/** A new user, signed up with a password and logged in: stubs carrying its token, and `user`. */
export async function newUser(prefix = "Node") {
  const account = await newUserClients(prefix);
  opened.push(account);
  return account;
}

// scripts/system-test.sh sets SWITCHBOARD_SYSTEM_UP once `pnpm start` is up: then a service that
// does not answer is a failure, not a reason to skip.
const down = Object.keys(up).filter((service) => !up[service]);
if (process.env.SWITCHBOARD_SYSTEM_UP && down.length > 0) {
  throw new Error(
    `the system is said to be up, but ${down.map((s) => addresses[s]).join(", ")} do not answer`,
  );
}

/** Whether every named service answers. */
export const allUp = (...services) => services.every((service) => up[service]);

/** A suite title that says why it is skipped when one of `services` does not answer. */
export function title(text, ...services) {
  const down = services.filter((service) => !up[service]).map((service) => addresses[service]);
  return down.length === 0
    ? text
    : `${text} — skipped: ${down.join(", ")} not reachable (start the system with \`pnpm start\`)`;
}
