import { randomUUID } from "node:crypto";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { Code, ConnectError, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";
import type { Outbox } from "@switchboard/messaging";
import {
  UserCreatedSchema,
  UserDeletedSchema,
  UserUpdatedSchema,
} from "@switchboard/proto/switchboard/events/v1/events_pb.js";
import type { User } from "@switchboard/proto/switchboard/user/v1/user_pb.js";
import {
  type CreateUserRequest,
  CreateUserRequestSchema,
  type GetUserRequest,
  type ImportRejection,
  type UpdateUserRequest,
  type UserService,
  type UserSessionRequest,
  type UserSessionResponseSchema,
} from "@switchboard/proto/switchboard/user/v1/user_service_pb.js";
import { AsyncQueue, fieldViolations, invalidArgument, violationsOf } from "@switchboard/runtime";
import { decodePageToken, encodePageToken } from "../domain/page-token.js";
import { fieldsFromMask } from "../domain/update-mask.js";
import { ChangeKind, type UserChanges } from "../domain/user-changes.js";
import { type UserRow, userFromRow } from "../store/user-row.js";
import { EmailTakenError, type UserStore, type WriteOutcome } from "../store/user-store.js";

export const USERS_TOPIC = "switchboard.users.v1";
const UUID = /^[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}$/i;
/** Changes a UserSession may have queued for a client that reads too slowly, before it is ended. */
const SESSION_BUFFER = 1_000;

export interface UserHandlersDeps {
  store: UserStore;
  changes: UserChanges;
  /** Every change commits through it, with its events. */
  outbox: Outbox;
}

type SessionResponse = MessageInitShape<typeof UserSessionResponseSchema>;

/** switchboard.user.v1.UserService: every change commits with its event (outbox) or not at all. */
export class UserHandlers implements ServiceImpl<typeof UserService> {
  constructor(private readonly deps: UserHandlersDeps) {}

  /**
   * Idempotent by `request_id`: the request is recorded with the user in one transaction, so a
   * retry finds it and answers with that user, and a retry with another payload is refused.
   */
  async createUser(request: CreateUserRequest) {
    const { store } = this.deps;
    const name = request.name.trim();
    // Names are trimmed; one of only spaces is as empty as the contract's min_len forbids.
    if (name === "") throw invalidArgument([{ field: "name", description: "must not be blank" }]);
    const fingerprint = JSON.stringify([name, request.email.toLowerCase()]);
    const earlier = await store.findCreateRequest(store.db, request.requestId);
    if (earlier) return { user: await this.#replay(request.requestId, earlier, fingerprint) };
    try {
      const row = await this.deps.outbox.commit(async (tx) => {
        const created = await store.insert(tx, {
          id: randomUUID(),
          name,
          email: request.email,
          now: new Date(),
        });
        await store.saveCreateRequest(tx, request.requestId, created.id, fingerprint);
        const user = userFromRow(created);
        await tx.emit(USERS_TOPIC, { schema: UserCreatedSchema, data: { user }, subject: user.id });
        return created;
      });
      return { user: userFromRow(row) };
    } catch (error) {
      // A concurrent retry of the same request committed first: this one then fails on the
      // request_id, or on the very email that retry just took. Either way, answer as it did.
      const raced = await store.findCreateRequest(store.db, request.requestId);
      if (raced) return { user: await this.#replay(request.requestId, raced, fingerprint) };
      if (error instanceof EmailTakenError) throw new ConnectError(error.message, Code.AlreadyExists);
      throw error;
    }
  }

  async getUser(request: GetUserRequest) {
    return { user: await this.#get(request.id) };
  }

  async updateUser(request: UpdateUserRequest) {
    return { user: await this.#update(request) };
  }

  async deleteUser(request: { id: string; expectedVersion: bigint }) {
    const { store } = this.deps;
    const outcome = await this.deps.outbox.commit(async (tx) => {
      const result = await store.delete(tx, request.id, request.expectedVersion);
      if ("row" in result) {
        await tx.emit(USERS_TOPIC, {
          schema: UserDeletedSchema,
          data: { userId: request.id },
          subject: request.id,
        });
      }
      return result;
    });
    const row = this.#written(outcome, request.id, request.expectedVersion);
    this.deps.changes.publish({ user: userFromRow(row), kind: ChangeKind.DELETED });
    return {};
  }

  /** Lags one row behind the store so the last message of a full page can carry the next token. */
  async *listUsers(request: { query: string; pageSize: number; pageToken: string }, context: HandlerContext) {
    const afterId = decodePageToken(request.pageToken);
    const pageSize = request.pageSize;
    const rows = this.deps.store.list(
      { query: request.query, afterId, ...(pageSize > 0 ? { limit: pageSize + 1 } : {}) },
      context.signal,
    );
    let held: UserRow | undefined;
    let count = 0;
    for await (const row of rows) {
      count++;
      if (pageSize > 0 && count > pageSize) {
        // A row past the page: more users match, so the page's last message says where to go on.
        yield { user: userFromRow(held!), nextPageToken: encodePageToken(held!.id) };
        return;
      }
      if (held) yield { user: userFromRow(held) };
      held = row;
    }
    if (held) yield { user: userFromRow(held) };
  }

  /** Each row stands alone: valid rows are created (with their events), rejected rows reported. */
  async importUsers(rows: AsyncIterable<{ name: string; email: string }>) {
    const rejections: MessageInitShape<
      typeof import("@switchboard/proto/switchboard/user/v1/user_service_pb.js").ImportRejectionSchema
    >[] = [];
    let received = 0;
    let created = 0;
    for await (const row of rows) {
      const index = received++;
      const asCreate = create(CreateUserRequestSchema, {
        requestId: randomUUID(),
        name: row.name,
        email: row.email,
      });
      const violations = violationsOf(CreateUserRequestSchema, asCreate);
      if (violations.length > 0) {
        rejections.push({
          index,
          code: "INVALID_ARGUMENT",
          reason: violations.map((v) => `${v.field}: ${v.description}`).join("; "),
        });
        continue;
      }
      try {
        await this.createUser(asCreate);
        created++;
      } catch (error) {
        const failure = ConnectError.from(error);
        const violations = fieldViolations(failure);
        const reason =
          violations.length > 0
            ? violations.map((v) => `${v.field}: ${v.description}`).join("; ")
            : failure.rawMessage;
        rejections.push({ index, code: codeName(failure.code), reason });
      }
    }
    return { received, created, rejected: rejections.length, rejections: rejections as ImportRejection[] };
  }

  /**
   * Answers each request as it arrives and pushes committed changes to watched users, until the
   * client finishes sending. A client that lets SESSION_BUFFER messages pile up unread is ended
   * with RESOURCE_EXHAUSTED rather than growing the server's memory.
   */
  async *userSession(requests: AsyncIterable<UserSessionRequest>, context: HandlerContext) {
    const out = new AsyncQueue<SessionResponse>(SESSION_BUFFER, context.signal);
    const watched = new Set<string>();
    const send = (response: SessionResponse) => {
      if (!out.push(response)) {
        out.end(new ConnectError("session fell too far behind; reconnect", Code.ResourceExhausted));
      }
    };
    const stopListening = this.deps.changes.listen(({ user, kind }) => {
      if (watched.has(user.id)) send({ result: { case: "change", value: { user, kind } } });
    });
    // Not only in `finally`: a server blocked writing to a client that has gone may never resume
    // this generator, and the feed must not keep a dead session's listener.
    context.signal.addEventListener("abort", stopListening, { once: true });
    void (async () => {
      try {
        for await (const request of requests) send(await this.#answer(request, watched));
        out.end();
      } catch (error) {
        out.end(error);
      }
    })();
    try {
      yield* out;
    } finally {
      stopListening();
    }
  }

  async #answer(request: UserSessionRequest, watched: Set<string>): Promise<SessionResponse> {
    const correlationId = request.correlationId;
    const { case: action, value } = request.action;
    try {
      switch (action) {
        case "get":
          return { correlationId, result: { case: "user", value: await this.#get(value.id) } };
        case "update":
          return { correlationId, result: { case: "user", value: await this.#update(value) } };
        case "watch":
          // Ids are stored lowercase; a client may write a UUID in capitals.
          for (const id of value.ids) watched.add(id.toLowerCase());
          return { correlationId, result: { case: "watching", value: { ids: [...watched] } } };
        case "unwatch":
          for (const id of value.ids) watched.delete(id.toLowerCase());
          return { correlationId, result: { case: "watching", value: { ids: [...watched] } } };
        default:
          throw new ConnectError("request has no action", Code.InvalidArgument);
      }
    } catch (error) {
      const failure = ConnectError.from(error);
      return {
        correlationId,
        result: { case: "error", value: { code: failure.code, message: failure.rawMessage } },
      };
    }
  }

  async #get(id: string): Promise<User> {
    const row = await this.deps.store.get(this.deps.store.db, id);
    if (!row) throw new ConnectError(`user ${id} not found`, Code.NotFound);
    return userFromRow(row);
  }

  async #update(request: UpdateUserRequest): Promise<User> {
    const user = request.user;
    if (!user || !UUID.test(user.id))
      throw invalidArgument([{ field: "user.id", description: "must be a UUID" }]);
    const paths = request.updateMask?.paths ?? [];
    const fields = fieldsFromMask(user, paths);
    const { store } = this.deps;
    const outcome = await this.deps.outbox
      .commit(async (tx) => {
        const result = await store.update(tx, user.id, fields, request.expectedVersion, new Date());
        if ("row" in result) {
          await tx.emit(USERS_TOPIC, {
            schema: UserUpdatedSchema,
            data: { user: userFromRow(result.row), changedFields: paths },
            subject: user.id,
          });
        }
        return result;
      })
      .catch((error: unknown) => {
        if (error instanceof EmailTakenError) throw new ConnectError(error.message, Code.AlreadyExists);
        throw error;
      });
    const updated = userFromRow(this.#written(outcome, user.id, request.expectedVersion));
    this.deps.changes.publish({ user: updated, kind: ChangeKind.UPDATED });
    return updated;
  }

  #written(outcome: WriteOutcome, id: string, expectedVersion: bigint): UserRow {
    if ("missing" in outcome) throw new ConnectError(`user ${id} not found`, Code.NotFound);
    if ("stale" in outcome) {
      throw new ConnectError(
        `user ${id} is at version ${outcome.stale.version}, not ${expectedVersion}: read it again`,
        Code.Aborted,
      );
    }
    return outcome.row;
  }

  async #replay(requestId: string, earlier: { user_id: string; fingerprint: string }, fingerprint: string) {
    if (earlier.fingerprint !== fingerprint) {
      throw new ConnectError(
        `request_id ${requestId} was already used for a different user`,
        Code.FailedPrecondition,
      );
    }
    const row = await this.deps.store.get(this.deps.store.db, earlier.user_id);
    if (!row)
      throw new ConnectError(
        `the user created by request ${requestId} has since been deleted`,
        Code.NotFound,
      );
    return userFromRow(row);
  }
}

/** "ALREADY_EXISTS" for Code.AlreadyExists: the names gRPC documents. */
function codeName(code: Code): string {
  return Code[code].replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase();
}
