import { randomUUID } from "node:crypto";
import { type Outbox, type UnitOfWork, USERS_TOPIC } from "@switchboard/messaging";
import {
  UserCreatedSchema,
  UserDeletedSchema,
  UserUpdatedSchema,
} from "@switchboard/proto/switchboard/events/v1/events_pb.js";
import type { User } from "@switchboard/proto/switchboard/user/v1/user_pb.js";
import { type Caller, invalidInput } from "@switchboard/runtime";
import { type UserRow, userFromRow } from "../store/user-row.js";
import type { UserFields, UserStore, WriteOutcome } from "../store/user-store.js";
import { RequestReusedError, StaleVersionError, UserNotFoundError } from "./errors.js";
import { hashPassword } from "./passwords.js";
import { authorizeUsers } from "./user-access.js";
import { UserCache } from "./user-cache.js";
import { ChangeKind, type UserChanges } from "./user-changes.js";

export type { UserFields };

export interface UserDirectoryDeps {
  store: UserStore;
  /** Every change commits through it, with its event. */
  outbox: Outbox;
  /** Told of each committed update and delete (UserSession watchers). */
  changes: UserChanges;
  /** GetUser reads through it; every committed update and delete is forgotten from it. None: every read asks the database. */
  cache?: UserCache;
}

export interface NewUser {
  /** Idempotency key: a retry with the same one gets the same user. */
  requestId: string;
  name: string;
  email: string;
  /** Stored only as a scrypt hash; empty or absent: the user cannot log in until one is set. */
  password?: string;
}

/**
 * What user-service does, whoever asks (UserService, the seed contract through it): the rules
 * of users, who may do what to them (user-access.ts), each change one transaction with its event
 * (the outbox) or nothing at all.
 */
export class UserDirectory {
  readonly #cache: UserCache;

  constructor(private readonly deps: UserDirectoryDeps) {
    this.#cache = deps.cache ?? new UserCache({ ttlMs: 0, maxEntries: 0 });
  }

  /**
   * Idempotent by `requestId`: the request is recorded with the user in one transaction, so a
   * retry finds it and gets that user, and a retry with another payload is refused.
   */
  async create(request: NewUser): Promise<User> {
    const { store } = this.deps;
    // request_id is optional (AIP-155): without one the call is simply not idempotent.
    const requestId = request.requestId || randomUUID();
    const name = request.name.trim();
    // Names are trimmed; one of only spaces is as empty as the contract's min_len forbids.
    if (name === "") throw invalidInput([{ field: "name", description: "must not be blank" }]);
    const fingerprint = JSON.stringify([name, request.email.toLowerCase()]);
    const earlier = await store.findCreateRequest(store.db, requestId);
    if (earlier) return this.#replay(requestId, earlier, fingerprint);
    const passwordHash = request.password ? await hashPassword(request.password) : undefined;
    try {
      const row = await this.deps.outbox.commit(async (tx) => {
        const created = await store.insert(tx, {
          id: randomUUID(),
          name,
          email: request.email,
          now: new Date(),
          ...(passwordHash ? { passwordHash } : {}),
        });
        await store.saveCreateRequest(tx, requestId, created.id, fingerprint);
        const user = userFromRow(created);
        await tx.emit(USERS_TOPIC, { schema: UserCreatedSchema, data: { user }, subject: user.id });
        return created;
      });
      return userFromRow(row);
    } catch (error) {
      // A concurrent retry of the same request committed first: this one then fails on the
      // request_id, or on the very email that retry just took. Either way, answer as it did.
      const raced = await store.findCreateRequest(store.db, requestId);
      if (raced) return this.#replay(requestId, raced, fingerprint);
      throw error;
    }
  }

  /** `action` "session": the lookup is a UserSession's (services may not hold one). */
  async get(caller: Caller, id: string, action: "get" | "session" = "get"): Promise<User> {
    authorizeUsers(caller, action, id);
    const { store } = this.deps;
    const row = await this.#cache.get(id, (userId) => store.get(store.db, userId));
    if (!row) throw new UserNotFoundError(`user ${id} not found`);
    return userFromRow(row);
  }

  /** Applies `fields` (named by `changedFields`); `expectedVersion` 0 skips the concurrency check. */
  async update(
    caller: Caller,
    id: string,
    fields: UserFields,
    changedFields: readonly string[],
    expectedVersion: bigint,
    action: "update" | "session" = "update",
  ): Promise<User> {
    authorizeUsers(caller, action, id);
    const { store } = this.deps;
    const outcome = await this.#forgettingAfter(id, async (tx) => {
      const result = await store.update(tx, id, fields, expectedVersion, new Date());
      if ("row" in result) {
        await tx.emit(USERS_TOPIC, {
          schema: UserUpdatedSchema,
          data: { user: userFromRow(result.row), changedFields: [...changedFields] },
          subject: id,
        });
      }
      return result;
    });
    const updated = userFromRow(written(outcome, id, expectedVersion));
    this.deps.changes.publish({ user: updated, kind: ChangeKind.UPDATED });
    return updated;
  }

  async delete(caller: Caller, id: string, expectedVersion: bigint): Promise<void> {
    authorizeUsers(caller, "delete", id);
    const { store } = this.deps;
    const outcome = await this.#forgettingAfter(id, async (tx) => {
      const result = await store.delete(tx, id, expectedVersion);
      if ("row" in result) {
        await tx.emit(USERS_TOPIC, { schema: UserDeletedSchema, data: { userId: id }, subject: id });
      }
      return result;
    });
    const row = written(outcome, id, expectedVersion);
    this.deps.changes.publish({ user: userFromRow(row), kind: ChangeKind.DELETED });
  }

  /** Users matching `query` in id order after `afterId`, read in batches; see UserStore.list. */
  list(
    caller: Caller,
    options: { query: string; afterId?: string; limit?: number },
    signal: AbortSignal,
  ): AsyncGenerator<UserRow> {
    authorizeUsers(caller, "list");
    return this.deps.store.list(options, signal);
  }

  /**
   * Commits a write to user `id`, then forgets the user from the cache, whatever the outcome (a
   * failed commit may still have landed): this instance's next read of it goes to the database.
   */
  async #forgettingAfter<T>(id: string, work: (tx: UnitOfWork) => Promise<T>): Promise<T> {
    try {
      return await this.deps.outbox.commit(work);
    } finally {
      this.#cache.forget(id);
    }
  }

  async #replay(requestId: string, earlier: { user_id: string; fingerprint: string }, fingerprint: string) {
    if (earlier.fingerprint !== fingerprint) {
      throw new RequestReusedError(`request_id ${requestId} was already used for a different user`);
    }
    const row = await this.deps.store.get(this.deps.store.db, earlier.user_id);
    if (!row) throw new UserNotFoundError(`the user created by request ${requestId} has since been deleted`);
    return userFromRow(row);
  }
}

function written(outcome: WriteOutcome, id: string, expectedVersion: bigint): UserRow {
  if ("missing" in outcome) throw new UserNotFoundError(`user ${id} not found`);
  if ("stale" in outcome) {
    throw new StaleVersionError(
      `user ${id} is at version ${outcome.stale.version}, not ${expectedVersion}: read it again`,
    );
  }
  return outcome.row;
}
