import { createHash, randomUUID } from "node:crypto";
import type { Database } from "@switchboard/database";
import type { CredentialStore } from "../store/credential-store.js";
import { EmailTakenError, UserNotFoundError } from "./errors.js";
import { hashPassword } from "./passwords.js";
import type { UserDirectory } from "./user-directory.js";

export interface FirstAdminDeps {
  db: Database;
  users: UserDirectory;
  credentials: CredentialStore;
}

/**
 * Makes sure there is an admin: if none exists, the user with `email` becomes one, with `password`
 * (created first, with its UserCreated event, if there is no such user). Safe to run at every start
 * of every instance: the creation is idempotent by a request id derived from the email, and once an
 * admin exists nothing is done at all. Returns what it did.
 */
export async function ensureFirstAdmin(
  deps: FirstAdminDeps,
  admin: { email: string; password: string },
): Promise<"already-there" | "created"> {
  const { db, users, credentials } = deps;
  if (await credentials.anyWithRole(db, "admin")) return "already-there";
  const user = { name: "Admin", email: admin.email, password: admin.password };
  try {
    await users.create({ ...user, requestId: requestIdFor(admin.email) });
  } catch (error) {
    // Made once and deleted since: make it again. Taken by a user of its own: that user is promoted.
    if (error instanceof UserNotFoundError)
      await createUnlessTaken(users, { ...user, requestId: randomUUID() });
    else if (!(error instanceof EmailTakenError)) throw error;
  }
  const passwordHash = await hashPassword(admin.password);
  await db.transaction(async (tx) => {
    const row = await credentials.byEmail(tx, admin.email);
    if (!row) throw new UserNotFoundError(`the first admin ${admin.email} vanished while being made`);
    await credentials.setPassword(tx, row.id, passwordHash);
    await credentials.grantRoleByEmail(tx, admin.email, "admin");
  });
  return "created";
}

async function createUnlessTaken(users: UserDirectory, user: Parameters<UserDirectory["create"]>[0]) {
  try {
    await users.create(user);
  } catch (error) {
    if (!(error instanceof EmailTakenError)) throw error;
  }
}

/** A UUID that depends only on the email: every instance asks to create the same first admin. */
function requestIdFor(email: string): string {
  const hex = createHash("sha256").update(`switchboard first admin ${email.toLowerCase()}`).digest("hex");
  // Shaped as a version 4 UUID (the column is a uuid).
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
