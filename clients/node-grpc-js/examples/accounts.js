// Accounts for the examples: a person signs up (CreateUser with a password, anonymous) and logs in;
// admin-only calls use the dev admin from SWITCHBOARD_ADMIN_EMAIL / SWITCHBOARD_ADMIN_PASSWORD.
import { randomUUID } from "node:crypto";
import { adminCredentialsFromEnv, call, connectAsFromEnv, connectFromEnv } from "../src/index.js";

/** Signs up a new user with a random email and password; resolves with { user, email, password }. */
export async function signUp(anonymous, prefix = "Node") {
  const tag = randomUUID().slice(0, 8);
  const email = `${prefix.toLowerCase()}.${tag}@example.com`;
  const password = `${prefix.toLowerCase()}-secret-${tag}`;
  const { user } = await call(anonymous.users, "CreateUser", {
    requestId: randomUUID(),
    name: `${prefix} ${tag}`,
    email,
    password,
  });
  return { user, email, password };
}

/** A new user, signed up and logged in: stubs that carry its token (close them when done). */
export async function newUserClients(prefix = "Node", env = process.env) {
  const anonymous = connectFromEnv(env);
  try {
    const { user, email, password } = await signUp(anonymous, prefix);
    return Object.assign(await connectAsFromEnv({ email, password }, env), { user });
  } finally {
    anonymous.close();
  }
}

/** Stubs logged in as the dev admin. */
export function adminClients(env = process.env) {
  return connectAsFromEnv(adminCredentialsFromEnv(env), env);
}
