import { randomBytes } from "node:crypto";
import type { Caller, Logger } from "@switchboard/runtime";
import { AccessDeniedError, NotAuthenticatedError, UserNotFoundError } from "./errors.js";
import { ChangeKind, type UserChanges } from "./user-changes.js";

/** A person's MQTT login and the one topic it may subscribe to (messaging's PersonAccounts). */
export interface MqttCredentials {
  username: string;
  password: string;
  topic: string;
}

/** Where people's MQTT accounts live (the broker's dynamic-security plugin, in production). */
export interface PersonMqttAccounts {
  /** Creates the account or replaces its password (the old one stops working, its sessions end). */
  setPassword(userId: string, password: string): Promise<MqttCredentials>;
  remove(userId: string): Promise<void>;
}

/** The broker could not be reached or refused the change: UNAVAILABLE, try again. */
export class MqttAccountsUnavailableError extends Error {
  override name = "MqttAccountsUnavailableError";
}

export interface MqttCredentialsDeps {
  accounts: PersonMqttAccounts;
  /** Whether the user still exists (a deleted user's token lives on until it expires). */
  userExists: (userId: string) => Promise<boolean>;
}

/**
 * GetMqttCredentials: a person (a user caller, never a service) gets a fresh random password for
 * its own MQTT account, username = its id, allowed to subscribe to its own notifications topic
 * only. Every call makes a new password; the previous one stops working.
 */
export async function issueMqttCredentials(
  deps: MqttCredentialsDeps,
  caller: Caller,
): Promise<MqttCredentials> {
  if (caller.kind === "anonymous") throw new NotAuthenticatedError("MQTT credentials need a login");
  if (caller.kind !== "user") {
    throw new AccessDeniedError("MQTT credentials are for people; services have their own MQTT accounts");
  }
  if (!(await deps.userExists(caller.userId))) throw new UserNotFoundError(`user ${caller.userId} not found`);
  // 192 random bits; base64url has no character MQTT or the plugin's JSON would need escaped.
  const password = randomBytes(24).toString("base64url");
  try {
    return await deps.accounts.setPassword(caller.userId, password);
  } catch (error) {
    throw new MqttAccountsUnavailableError(`MQTT accounts unavailable: ${(error as Error).message}`);
  }
}

/** Deletes a person's MQTT account when the user is deleted (best effort: logged when the broker is down). */
export function removeMqttAccountsOfDeletedUsers(
  changes: UserChanges,
  accounts: PersonMqttAccounts,
  logger: Logger,
): () => void {
  return changes.listen(({ user, kind }) => {
    if (kind !== ChangeKind.DELETED) return;
    accounts.remove(user.id).then(
      () => logger.info({ userId: user.id }, "MQTT account removed"),
      (error: Error) => logger.warn({ userId: user.id, err: error.message }, "MQTT account not removed"),
    );
  });
}
