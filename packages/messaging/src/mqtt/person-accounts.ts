import { notificationTopic } from "../channels.js";
import type { DynamicSecurity, DynsecResponse } from "./dynamic-security.js";

/** What a person's MQTT client logs in with, and the one topic it may subscribe to. */
export interface PersonAccount {
  username: string;
  password: string;
  topic: string;
}

/**
 * People's MQTT accounts in the dynamic-security plugin: username = the user's id, with a role of
 * its own ("person:<id>") allowing exactly one subscription, `switchboard/users/<id>/notifications`
 * (Mosquitto 2.0's plugin has no %u patterns, so the role cannot be shared). Nothing else: the
 * plugin's default denies every other subscription and every publish.
 */
export class PersonAccounts {
  constructor(private readonly dynsec: DynamicSecurity) {}

  /**
   * Creates the account, or gives the existing one `password`: the broker then disconnects the
   * sessions logged in with the old one, and refuses it from now on.
   */
  async setPassword(userId: string, password: string): Promise<PersonAccount> {
    const rolename = roleOf(userId);
    const topic = notificationTopic(userId);
    const roles = [{ rolename }];
    const responses = await this.dynsec.run([
      { command: "createRole", rolename },
      { command: "addRoleACL", rolename, acltype: "subscribeLiteral", topic, allow: true },
      { command: "createClient", username: userId, password, roles },
      { command: "modifyClient", username: userId, password, roles },
    ]);
    assertDone(responses, /already exists/);
    return { username: userId, password, topic };
  }

  /** Deletes the account and its role (a deleted user); an unknown one is fine. */
  async remove(userId: string): Promise<void> {
    const responses = await this.dynsec.run([
      { command: "deleteClient", username: userId },
      { command: "deleteRole", rolename: roleOf(userId) },
    ]);
    assertDone(responses, /not found/i);
  }
}

const roleOf = (userId: string) => `person:${userId}`;

/** Throws the first failure other than the expected one (e.g. "already exists" when re-issuing). */
function assertDone(responses: readonly DynsecResponse[], expected: RegExp): void {
  const failed = responses.find((response) => response.error && !expected.test(response.error));
  if (failed) throw new Error(`dynamic-security ${failed.command}: ${failed.error}`);
}
