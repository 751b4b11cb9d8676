import { randomUUID } from "node:crypto";
import { type MessageInitShape, toBinary } from "@bufbuild/protobuf";
import { type Client, Code } from "@connectrpc/connect";
import type { Database } from "@switchboard/database";
import {
  ChangeKind,
  ImportUsersResponseSchema,
  UserService,
  type UserSessionRequestSchema,
  type UserSessionResponse,
} from "@switchboard/proto/switchboard/user/v1/user_service_pb.js";
import { AsyncQueue, fieldViolations } from "@switchboard/runtime";
import { callError, collect, until } from "@switchboard/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migratedDatabase, outboxEvents, startUserService } from "./harness.js";

let db: Database;
let service: Awaited<ReturnType<typeof startUserService>>;
let client: Client<typeof UserService>;

beforeAll(async () => {
  db = await migratedDatabase();
  service = await startUserService(db, { readMaxBytes: 64 * 1024 });
  client = service.client(UserService);
});
afterAll(async () => {
  await service.close();
  await db.close();
});

let counter = 0;
const unique = () => `${Date.now().toString(36)}${counter++}`;
const newUser = (name = "Ana") => ({
  requestId: randomUUID(),
  name,
  email: `${name.toLowerCase()}.${unique()}@example.com`,
});

async function* from<T>(...items: T[]) {
  yield* items;
}

type SessionRequest = MessageInitShape<typeof UserSessionRequestSchema>;

/** A UserSession driven one message at a time: `send` pushes a request, `next` reads an answer. */
function openSession() {
  const requests = new AsyncQueue<SessionRequest>();
  const answers = client.userSession(requests)[Symbol.asyncIterator]();
  return {
    send: (request: SessionRequest) => requests.push(request),
    next: async () => (await answers.next()).value as UserSessionResponse | undefined,
    ask: async (request: SessionRequest) => {
      requests.push(request);
      return (await answers.next()).value as UserSessionResponse | undefined;
    },
    close: () => requests.end(),
    done: async () => (await answers.next()).done,
    answers,
  };
}

describe("CreateUser", () => {
  it("creates a user and writes exactly one UserCreated to the outbox in the same transaction", async () => {
    const before = (await outboxEvents(db)).length;
    const { user } = await client.createUser(newUser());
    expect(user).toMatchObject({ name: "Ana", version: 1n });
    expect(user?.id).toMatch(/^[\da-f-]{36}$/);
    const events = (await outboxEvents(db)).slice(before);
    expect(events).toEqual([{ type: "switchboard.events.v1.UserCreated", key: user?.id }]);
  });

  it("is idempotent by request_id: a retry returns the same user and writes no second event", async () => {
    const request = newUser("Retry");
    const first = await client.createUser(request);
    const before = (await outboxEvents(db)).length;
    const second = await client.createUser(request);
    expect(second.user).toEqual(first.user);
    expect((await outboxEvents(db)).length).toBe(before);
  });

  it("creates a user without a request_id (the server makes one): two such calls are two users", async () => {
    const { requestId: _, ...request } = newUser("NoRequestId");
    const first = await client.createUser(request);
    const second = await client.createUser({ ...request, email: `x.${request.email}` });
    expect(first.user?.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(second.user?.id).not.toBe(first.user?.id);
  });

  it("answers a retry after the user was deleted with NOT_FOUND, creating nothing", async () => {
    const request = newUser("Deleted");
    const { user } = await client.createUser(request);
    await client.deleteUser({ id: user!.id });
    expect((await callError(client.createUser(request))).code).toBe(Code.NotFound);
  });

  it("refuses a request_id reused for a different user with FAILED_PRECONDITION", async () => {
    const request = newUser("Once");
    await client.createUser(request);
    const error = await callError(client.createUser({ ...request, email: `other.${unique()}@example.com` }));
    expect(error.code).toBe(Code.FailedPrecondition);
  });

  it("refuses a taken email (in any case) with ALREADY_EXISTS, leaving nothing written", async () => {
    const first = newUser("Taken");
    await client.createUser(first);
    const before = (await outboxEvents(db)).length;
    const error = await callError(
      client.createUser({ ...newUser("Taken"), email: first.email.toUpperCase() }),
    );
    expect(error.code).toBe(Code.AlreadyExists);
    expect((await outboxEvents(db)).length).toBe(before);
  });

  it("rejects bad input with INVALID_ARGUMENT, a violation per field and a message naming them", async () => {
    const error = await callError(client.createUser({ requestId: "nope", name: "", email: "not-an-email" }));
    expect(error.code).toBe(Code.InvalidArgument);
    expect(fieldViolations(error).map((v) => v.field)).toEqual(["request_id", "name", "email"]);
    expect(error.rawMessage).toMatch(/request_id: .*; name: .*; email: /);
  });

  it("rejects a name of only spaces, a name over 100 characters and an email over 254", async () => {
    const fields = async (request: ReturnType<typeof newUser>) =>
      fieldViolations(await callError(client.createUser(request))).map((v) => v.field);
    expect(await fields({ ...newUser(), name: "   " })).toEqual(["name"]);
    expect(await fields({ ...newUser(), name: "x".repeat(101) })).toEqual(["name"]);
    expect(await fields({ ...newUser(), email: `${"x".repeat(250)}@example.com` })).toEqual(["email"]);
  });

  it("rejects a message over the size limit with RESOURCE_EXHAUSTED", async () => {
    const error = await callError(client.createUser({ ...newUser(), name: "x".repeat(70 * 1024) }));
    expect(error.code).toBe(Code.ResourceExhausted);
  });
});

describe("GetUser", () => {
  it("returns a user by id", async () => {
    const { user } = await client.createUser(newUser("Get"));
    expect((await client.getUser({ id: user!.id })).user).toEqual(user);
  });

  it("answers an unknown id with NOT_FOUND and a malformed one with INVALID_ARGUMENT", async () => {
    expect((await callError(client.getUser({ id: randomUUID() }))).code).toBe(Code.NotFound);
    expect((await callError(client.getUser({ id: "42" }))).code).toBe(Code.InvalidArgument);
  });
});

describe("UpdateUser", () => {
  it("changes only the masked fields, bumps the version and writes a UserUpdated", async () => {
    const { user } = await client.createUser(newUser("Before"));
    const before = (await outboxEvents(db)).length;
    const { user: updated } = await client.updateUser({
      user: { id: user!.id, name: "After", email: "ignored@example.com" },
      updateMask: { paths: ["name"] },
      expectedVersion: 1n,
    });
    expect(updated).toMatchObject({ name: "After", email: user!.email, version: 2n });
    expect((await outboxEvents(db)).slice(before)).toEqual([
      { type: "switchboard.events.v1.UserUpdated", key: user!.id },
    ]);
  });

  it("fails a stale update with ABORTED and changes nothing", async () => {
    const { user } = await client.createUser(newUser("Racer"));
    await client.updateUser({
      user: { id: user!.id, name: "First" },
      updateMask: { paths: ["name"] },
      expectedVersion: 1n,
    });
    const error = await callError(
      client.updateUser({
        user: { id: user!.id, name: "Second" },
        updateMask: { paths: ["name"] },
        expectedVersion: 1n,
      }),
    );
    expect(error.code).toBe(Code.Aborted);
    expect((await client.getUser({ id: user!.id })).user?.name).toBe("First");
  });

  it("rejects unknown mask paths, empty masks and emptied names", async () => {
    const { user } = await client.createUser(newUser("Masked"));
    const update = (paths: string[], name = "x") =>
      callError(client.updateUser({ user: { id: user!.id, name }, updateMask: { paths } }));
    expect((await update(["id"])).code).toBe(Code.InvalidArgument);
    expect((await update([])).code).toBe(Code.InvalidArgument);
    expect((await update(["name"], "  ")).code).toBe(Code.InvalidArgument);
  });

  it("answers an unknown user with NOT_FOUND and a malformed id with INVALID_ARGUMENT", async () => {
    const update = (id: string) =>
      callError(client.updateUser({ user: { id, name: "x" }, updateMask: { paths: ["name"] } }));
    expect((await update(randomUUID())).code).toBe(Code.NotFound);
    const malformed = await update("42");
    expect(malformed.code).toBe(Code.InvalidArgument);
    expect(fieldViolations(malformed).map((v) => v.field)).toEqual(["user.id"]);
  });

  it("refuses an email taken by another user with ALREADY_EXISTS, and a malformed one with INVALID_ARGUMENT", async () => {
    const { user: first } = await client.createUser(newUser("First"));
    const { user: second } = await client.createUser(newUser("Second"));
    const update = (email: string) =>
      callError(client.updateUser({ user: { id: second!.id, email }, updateMask: { paths: ["email"] } }));
    expect((await update(first!.email.toUpperCase())).code).toBe(Code.AlreadyExists);
    const malformed = await update("not-an-email");
    expect(malformed.code).toBe(Code.InvalidArgument);
    expect(fieldViolations(malformed).map((v) => v.field)).toEqual(["user.email"]);
    expect((await client.getUser({ id: second!.id })).user?.version).toBe(1n);
  });

  it("sets and removes the avatar: a masked empty value clears it", async () => {
    const AVATAR_ID = "1a2b3c4d-0000-4000-8000-00000000a1a1";
    const { user } = await client.createUser(newUser("Avatar"));
    const set = await client.updateUser({
      user: { id: user!.id, avatarImageId: AVATAR_ID },
      updateMask: { paths: ["avatar_image_id"] },
    });
    expect(set.user?.avatarImageId).toBe(AVATAR_ID);
    const cleared = await client.updateUser({
      user: { id: user!.id },
      updateMask: { paths: ["avatar_image_id"] },
      expectedVersion: 2n,
    });
    expect(cleared.user).toMatchObject({ avatarImageId: "", name: "Avatar", version: 3n });
  });
});

describe("DeleteUser", () => {
  it("deletes with a UserDeleted event; a stale version is ABORTED; a second delete NOT_FOUND", async () => {
    const { user } = await client.createUser(newUser("Gone"));
    expect((await callError(client.deleteUser({ id: user!.id, expectedVersion: 7n }))).code).toBe(
      Code.Aborted,
    );
    const before = (await outboxEvents(db)).length;
    await client.deleteUser({ id: user!.id, expectedVersion: 1n });
    expect((await outboxEvents(db)).slice(before)).toEqual([
      { type: "switchboard.events.v1.UserDeleted", key: user!.id },
    ]);
    expect((await callError(client.getUser({ id: user!.id }))).code).toBe(Code.NotFound);
    expect((await callError(client.deleteUser({ id: user!.id }))).code).toBe(Code.NotFound);
  });
});

describe("ListUsers (server streaming)", () => {
  it("streams the matching users in pages, the last message of a full page carrying the next token", async () => {
    const tag = unique();
    for (let i = 0; i < 5; i++)
      await client.createUser({
        requestId: randomUUID(),
        name: `List ${tag} ${i}`,
        email: `l${i}.${tag}@example.com`,
      });
    const first = await collect(client.listUsers({ query: tag, pageSize: 2 }));
    expect(first).toHaveLength(2);
    expect(first[0]?.nextPageToken).toBe("");
    expect(first[1]?.nextPageToken).not.toBe("");
    const second = await collect(
      client.listUsers({ query: tag, pageSize: 2, pageToken: first[1]!.nextPageToken }),
    );
    const third = await collect(
      client.listUsers({ query: tag, pageSize: 2, pageToken: second[1]!.nextPageToken }),
    );
    expect(third).toHaveLength(1);
    expect(third[0]?.nextPageToken).toBe("");
    const all = await collect(client.listUsers({ query: tag }));
    expect([...first, ...second, ...third].map((m) => m.user?.id)).toEqual(all.map((m) => m.user?.id));
  });

  it("ends a page that exactly exhausts the matches without a token", async () => {
    const tag = unique();
    for (let i = 0; i < 2; i++)
      await client.createUser({
        requestId: randomUUID(),
        name: `Exact ${tag}`,
        email: `e${i}.${tag}@example.com`,
      });
    const page = await collect(client.listUsers({ query: tag, pageSize: 2 }));
    expect(page.map((m) => m.nextPageToken)).toEqual(["", ""]);
  });

  it("answers no match with an empty stream that ends OK", async () => {
    expect(await collect(client.listUsers({ query: `nobody-${unique()}` }))).toEqual([]);
  });

  it("rejects a forged page token and a page size over 1000 with INVALID_ARGUMENT", async () => {
    const forged = await callError(collect(client.listUsers({ pageToken: "garbage" })));
    expect(forged.code).toBe(Code.InvalidArgument);
    expect(fieldViolations(forged).map((v) => v.field)).toEqual(["page_token"]);
    const tooBig = await callError(collect(client.listUsers({ pageSize: 1001 })));
    expect(fieldViolations(tooBig).map((v) => v.field)).toEqual(["page_size"]);
  });
});

describe("ImportUsers (client streaming)", () => {
  it("keeps valid rows (each with its UserCreated), reports each rejected row with its index and reason", async () => {
    const tag = unique();
    const before = (await outboxEvents(db)).length;
    const taken = `dup.${tag}@example.com`;
    const summary = await client.importUsers(
      from(
        { name: "Ok One", email: `one.${tag}@example.com` },
        { name: "", email: `empty.${tag}@example.com` },
        { name: "Dup A", email: taken },
        { name: "Dup B", email: taken },
        { name: "Bad Mail", email: "nope" },
      ),
    );
    expect(summary).toMatchObject({ received: 5, created: 2, rejected: 3 });
    expect((await outboxEvents(db)).slice(before).map((e) => e.type)).toEqual([
      "switchboard.events.v1.UserCreated",
      "switchboard.events.v1.UserCreated",
    ]);
    expect(summary.rejections.map((r) => [r.index, r.code])).toEqual([
      [1, "INVALID_ARGUMENT"],
      [3, "ALREADY_EXISTS"],
      [4, "INVALID_ARGUMENT"],
    ]);
    expect(summary.rejections[0]?.reason).toMatch(/^name: /);
    expect(summary.rejections[1]?.reason).toMatch(/email .* is taken/);
    expect(summary.rejections[2]?.reason).toMatch(/^email: /);
    expect((await collect(client.listUsers({ query: tag }))).map((m) => m.user?.name).sort()).toEqual([
      "Dup A",
      "Ok One",
    ]);
  });
});

describe("ImportUsers with many rejections", () => {
  it("counts every rejected row but lists only the first 100, so the reply always fits; later rows still count", async () => {
    const tag = unique();
    const longName = "x".repeat(101); // over the 100-character limit
    const rows = Array.from({ length: 250 }, (_, i) => ({ name: longName, email: `bad-${i}` }));
    rows.push({ name: "Last Row", email: `last.${tag}@example.com` });
    const summary = await client.importUsers(from(...rows));
    expect(summary).toMatchObject({ received: 251, created: 1, rejected: 250 });
    expect(summary.rejections.map((r) => r.index)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(summary.rejections.every((r) => r.code === "INVALID_ARGUMENT")).toBe(true);
    expect(toBinary(ImportUsersResponseSchema, summary).length).toBeLessThan(100 * 1_100);
    expect((await collect(client.listUsers({ query: tag }))).map((m) => m.user?.name)).toEqual(["Last Row"]);
  });
});

describe("ImportUsers when the stream fails or repeats", () => {
  it("keeps the rows created before the client's stream failed", async () => {
    const tag = unique();
    const listed = async () => (await collect(client.listUsers({ query: tag }))).length;
    const rows = async function* () {
      yield { name: "Kept A", email: `a.${tag}@example.com` };
      yield { name: "Kept B", email: `b.${tag}@example.com` };
      // Fail only once the server has created both rows.
      await until(async () => (await listed()) >= 2);
      throw new Error("the client's source broke");
    };
    await callError(client.importUsers(rows()));
    expect(await listed()).toBe(2);
  });

  it("creates nothing twice when the same rows are imported again: they are ALREADY_EXISTS", async () => {
    const tag = unique();
    const rows = [
      { name: "Twice A", email: `a.${tag}@example.com` },
      { name: "Twice B", email: `b.${tag}@example.com` },
    ];
    expect(await client.importUsers(from(...rows))).toMatchObject({ created: 2, rejected: 0 });
    const again = await client.importUsers(from(...rows));
    expect(again).toMatchObject({ received: 2, created: 0, rejected: 2 });
    expect(again.rejections.map((r) => r.code)).toEqual(["ALREADY_EXISTS", "ALREADY_EXISTS"]);
    expect((await collect(client.listUsers({ query: tag }))).length).toBe(2);
  });
});

describe("UserSession (bidi)", () => {
  it("answers lookups and updates by correlation id and pushes changes to watched users live", async () => {
    const { user } = await client.createUser(newUser("Watched"));
    const id = user!.id;
    const requests = new AsyncQueue<MessageInitShape<typeof UserSessionRequestSchema>>();
    const session = client.userSession(requests)[Symbol.asyncIterator]();
    requests.push({ correlationId: "w", action: { case: "watch", value: { ids: [id] } } });
    expect((await session.next()).value).toMatchObject({ correlationId: "w", result: { case: "watching" } });
    requests.push({ correlationId: "g", action: { case: "get", value: { id } } });
    expect((await session.next()).value).toMatchObject({
      correlationId: "g",
      result: { case: "user", value: { id } },
    });
    // A change made elsewhere (another client) arrives on the session as it happens.
    await client.updateUser({ user: { id, name: "Changed" }, updateMask: { paths: ["name"] } });
    expect((await session.next()).value).toMatchObject({
      correlationId: "",
      result: { case: "change", value: { kind: ChangeKind.UPDATED, user: { name: "Changed" } } },
    });
    requests.push({ correlationId: "missing", action: { case: "get", value: { id: randomUUID() } } });
    expect((await session.next()).value).toMatchObject({
      correlationId: "missing",
      result: { case: "error", value: { code: Code.NotFound } },
    });
    requests.end();
    expect((await session.next()).done).toBe(true);
  });

  it("answers in order, pushes its own update as a change, a deletion as DELETED, and nothing after unwatch", async () => {
    const { user } = await client.createUser(newUser("Session"));
    const id = user!.id;
    const session = openSession();
    // A UUID written in capitals names the same user.
    expect(
      await session.ask({
        correlationId: "1",
        action: { case: "watch", value: { ids: [id.toUpperCase()] } },
      }),
    ).toMatchObject({ correlationId: "1", result: { case: "watching", value: { ids: [id] } } });
    session.send({
      correlationId: "2",
      action: {
        case: "update",
        value: { user: { id, name: "Renamed" }, updateMask: { paths: ["name"] }, expectedVersion: 1n },
      },
    });
    // The change is pushed as the update commits, so it comes just before the update's answer.
    expect(await session.next()).toMatchObject({
      correlationId: "",
      result: { case: "change", value: { kind: ChangeKind.UPDATED, user: { name: "Renamed" } } },
    });
    expect(await session.next()).toMatchObject({
      correlationId: "2",
      result: { case: "user", value: { version: 2n } },
    });
    // A stale update is answered with ABORTED; the session goes on.
    expect(
      await session.ask({
        correlationId: "3",
        action: {
          case: "update",
          value: { user: { id, name: "Late" }, updateMask: { paths: ["name"] }, expectedVersion: 1n },
        },
      }),
    ).toMatchObject({ correlationId: "3", result: { case: "error", value: { code: Code.Aborted } } });
    // A message with no action is answered with INVALID_ARGUMENT; the session goes on.
    expect(await session.ask({ correlationId: "4" })).toMatchObject({
      correlationId: "4",
      result: { case: "error", value: { code: Code.InvalidArgument } },
    });
    await client.deleteUser({ id });
    expect(await session.next()).toMatchObject({
      result: { case: "change", value: { kind: ChangeKind.DELETED, user: { id } } },
    });
    expect(
      await session.ask({ correlationId: "5", action: { case: "unwatch", value: { ids: [id] } } }),
    ).toMatchObject({ correlationId: "5", result: { case: "watching", value: { ids: [] } } });
    // Another watched user's change proves the feed still flows; the unwatched one sent nothing before it.
    const { user: other } = await client.createUser(newUser("Other"));
    await session.ask({ correlationId: "6", action: { case: "watch", value: { ids: [other!.id] } } });
    await client.updateUser({ user: { id: other!.id, name: "Other 2" }, updateMask: { paths: ["name"] } });
    expect(await session.next()).toMatchObject({
      result: { case: "change", value: { user: { id: other!.id } } },
    });
    session.close();
    expect(await session.done()).toBe(true);
  });

  it("ends the whole session with INVALID_ARGUMENT on a message that breaks the contract's rules", async () => {
    const session = openSession();
    expect(
      await session.ask({ correlationId: "ok", action: { case: "watch", value: { ids: [] } } }),
    ).toMatchObject({
      correlationId: "ok",
    });
    session.send({ correlationId: "bad", action: { case: "get", value: { id: "not-a-uuid" } } });
    const error = await callError(session.answers.next());
    expect(error.code).toBe(Code.InvalidArgument);
    expect(fieldViolations(error).map((v) => v.field)).toEqual(["get.id"]);
  });

  it("ends a session whose client leaves more than about 1000 answers unread with RESOURCE_EXHAUSTED", async () => {
    const ids = Array.from({ length: 100 }, () => randomUUID());
    // Each answer lists the 100 watched ids (~4 KB). The client sends 3000 requests and reads
    // nothing meanwhile: the answers fill the HTTP/2 windows, then the server's buffer.
    let sentAll!: () => void;
    const allSent = new Promise<void>((resolve) => {
      sentAll = resolve;
    });
    const requests = (async function* () {
      for (let i = 0; i < 3_000; i++)
        yield { correlationId: `${i}`, action: { case: "watch" as const, value: { ids } } };
      sentAll();
    })();
    let answered = 0;
    const error = await callError(async () => {
      const answers = client.userSession(requests)[Symbol.asyncIterator]();
      const first = answers.next(); // starts the call
      await allSent;
      for (let next = await first; !next.done; next = await answers.next()) answered++;
    });
    expect(error.code).toBe(Code.ResourceExhausted);
    // Everything buffered before the server gave up is delivered, then the error.
    expect(answered).toBeGreaterThanOrEqual(1_000);
    expect(answered).toBeLessThan(3_000);
  });

  it("lets go of a session when its client goes away", async () => {
    const before = service.changes.listeners;
    const controller = new AbortController();
    const requests = new AsyncQueue<SessionRequest>();
    const answers = client.userSession(requests, { signal: controller.signal })[Symbol.asyncIterator]();
    requests.push({ correlationId: "w", action: { case: "watch", value: { ids: [randomUUID()] } } });
    await answers.next();
    expect(service.changes.listeners).toBe(before + 1);
    controller.abort();
    await until(() => service.changes.listeners === before);
  });
});
