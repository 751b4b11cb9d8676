import { randomUUID } from "node:crypto";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { Code, ConnectError, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";
import type { User } from "@switchboard/proto/switchboard/user/v1/user_pb.js";
import {
  type CreateUserRequest,
  CreateUserRequestSchema,
  type GetUserRequest,
  type ImportRejection,
  type ImportRejectionSchema,
  type UpdateUserRequest,
  type UserService,
  type UserSessionRequest,
  type UserSessionResponseSchema,
} from "@switchboard/proto/switchboard/user/v1/user_service_pb.js";
import {
  AsyncQueue,
  type Caller,
  callerOf,
  describeViolations,
  fieldViolations,
  invalidArgument,
  isUuid,
  streamTask,
  violationsOf,
} from "@switchboard/runtime";
import { authorizeUsers } from "../domain/user-access.js";
import type { UserChanges } from "../domain/user-changes.js";
import type { UserDirectory } from "../domain/user-directory.js";
import type { UserRow } from "../store/user-row.js";
import { userFromRow } from "../store/user-row.js";
import { decodePageToken, encodePageToken } from "./page-token.js";
import { mapped, mappedNow, toStatus } from "./status.js";
import { fieldsFromMask } from "./update-mask.js";

/**
 * Rejections an ImportUsers reply lists (the rest are only counted), and the longest reason each
 * carries: with both capped, the reply fits any message limit however many rows were rejected.
 */
const REJECTIONS_LISTED = 100;
const MAX_REASON_CHARS = 1_000;
/** Changes a UserSession may have queued for a client that reads too slowly, before it is ended. */
const SESSION_BUFFER = 1_000;

export interface UserHandlersDeps {
  users: UserDirectory;
  /** The feed of committed changes UserSession streams watch. */
  changes: UserChanges;
}

type SessionResponse = MessageInitShape<typeof UserSessionResponseSchema>;

/** switchboard.user.v1.UserService: proto ⇄ the user directory, and its errors → status codes. */
export class UserHandlers implements ServiceImpl<typeof UserService> {
  constructor(private readonly deps: UserHandlersDeps) {}

  async createUser(request: CreateUserRequest) {
    return { user: await mapped(this.deps.users.create(request)) };
  }

  async getUser(request: GetUserRequest, context: HandlerContext) {
    return { user: await mapped(this.deps.users.get(callerOf(context), request.id)) };
  }

  async updateUser(request: UpdateUserRequest, context: HandlerContext) {
    return { user: await this.#update(callerOf(context), request, "update") };
  }

  async deleteUser(request: { id: string; expectedVersion: bigint }, context: HandlerContext) {
    await mapped(this.deps.users.delete(callerOf(context), request.id, request.expectedVersion));
    return {};
  }

  /** Lags one row behind the store so the last message of a full page can carry the next token. */
  async *listUsers(request: { query: string; pageSize: number; pageToken: string }, context: HandlerContext) {
    const afterId = decodePageToken(request.pageToken);
    const pageSize = request.pageSize;
    const rows = mappedNow(() =>
      this.deps.users.list(
        callerOf(context),
        { query: request.query, afterId, ...(pageSize > 0 ? { limit: pageSize + 1 } : {}) },
        context.signal,
      ),
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

  /**
   * Each row stands alone: valid rows are created (with their events), rejected rows counted and
   * the first REJECTIONS_LISTED of them reported.
   */
  async importUsers(rows: AsyncIterable<{ name: string; email: string }>, context: HandlerContext) {
    // Refused before a row is read.
    mappedNow(() => authorizeUsers(callerOf(context), "import"));
    const rejections: MessageInitShape<typeof ImportRejectionSchema>[] = [];
    let received = 0;
    let created = 0;
    let rejected = 0;
    const reject = (rejection: MessageInitShape<typeof ImportRejectionSchema>) => {
      rejected++;
      if (rejections.length < REJECTIONS_LISTED) {
        rejections.push({ ...rejection, reason: rejection.reason?.slice(0, MAX_REASON_CHARS) ?? "" });
      }
    };
    for await (const row of rows) {
      const index = received++;
      const asCreate = create(CreateUserRequestSchema, {
        requestId: randomUUID(),
        name: row.name,
        email: row.email,
      });
      const violations = violationsOf(CreateUserRequestSchema, asCreate);
      if (violations.length > 0) {
        reject({
          index,
          code: "INVALID_ARGUMENT",
          reason: describeViolations(violations),
        });
        continue;
      }
      try {
        await this.createUser(asCreate);
        created++;
      } catch (error) {
        const failure = ConnectError.from(error);
        const violations = fieldViolations(failure);
        const reason = violations.length > 0 ? describeViolations(violations) : failure.rawMessage;
        reject({ index, code: codeName(failure.code), reason });
      }
    }
    return { received, created, rejected, rejections: rejections as ImportRejection[] };
  }

  /**
   * Answers each request as it arrives and pushes committed changes to watched users, until the
   * client finishes sending. A client that lets SESSION_BUFFER messages pile up unread is ended
   * with RESOURCE_EXHAUSTED rather than growing the server's memory.
   */
  async *userSession(requests: AsyncIterable<UserSessionRequest>, context: HandlerContext) {
    const caller = callerOf(context);
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
    try {
      yield* streamTask(out, async () => {
        for await (const request of requests) send(await this.#answer(caller, request, watched));
      });
    } finally {
      stopListening();
    }
  }

  async #answer(caller: Caller, request: UserSessionRequest, watched: Set<string>): Promise<SessionResponse> {
    const correlationId = request.correlationId;
    const { case: action, value } = request.action;
    try {
      switch (action) {
        case "get":
          return {
            correlationId,
            result: { case: "user", value: await mapped(this.deps.users.get(caller, value.id, "session")) },
          };
        case "update":
          return {
            correlationId,
            result: { case: "user", value: await this.#update(caller, value, "session") },
          };
        case "watch":
          // All or none: a user may watch only itself.
          for (const id of value.ids) authorizeUsers(caller, "session", id);
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
      const failure = ConnectError.from(toStatus(error));
      return {
        correlationId,
        result: { case: "error", value: { code: failure.code, message: failure.rawMessage } },
      };
    }
  }

  #update(caller: Caller, request: UpdateUserRequest, action: "update" | "session"): Promise<User> {
    const user = request.user;
    if (!user || !isUuid(user.id))
      throw invalidArgument([{ field: "user.id", description: "must be a UUID" }]);
    const paths = request.updateMask?.paths ?? [];
    const fields = fieldsFromMask(user, paths);
    return mapped(this.deps.users.update(caller, user.id, fields, paths, request.expectedVersion, action));
  }
}

/** "ALREADY_EXISTS" for Code.AlreadyExists: the names gRPC documents. */
function codeName(code: Code): string {
  return Code[code].replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase();
}
