import { randomUUID } from "node:crypto";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import type { Database } from "@switchboard/database";
import {
  ChangeKind,
  UserService,
  type UserSessionRequestSchema,
} from "@switchboard/proto/switchboard/user/v1/user_service_pb.js";
import { AsyncQueue, fieldViolations } from "@switchboard/runtime";
import { callError, collect, connectClient } from "@switchboard/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migratedDatabase, outboxEvents, startUserService } from "./harness.js";

let db: Database;
let service: Awaited<ReturnType<typeof startUserService>>;
let client: ReturnType<typeof connectClient<typeof UserService>>;

beforeAll(async () => {
  db = await migratedDatabase();
  service = await startUserService(db, { readMaxBytes: 64 * 1024 });
  client = connectClient(UserService, service.baseUrl);
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

  it("rejects bad input with INVALID_ARGUMENT and a violation per field", async () => {
    const error = await callError(client.createUser({ requestId: "nope", name: "", email: "not-an-email" }));
    expect(error.code).toBe(Code.InvalidArgument);
    expect(fieldViolations(error).map((v) => v.field)).toEqual(["request_id", "name", "email"]);
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

  it("answers an unknown user with NOT_FOUND", async () => {
    const error = await callError(
      client.updateUser({ user: { id: randomUUID(), name: "x" }, updateMask: { paths: ["name"] } }),
    );
    expect(error.code).toBe(Code.NotFound);
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

  it("rejects a forged page token with INVALID_ARGUMENT", async () => {
    const error = await callError(collect(client.listUsers({ pageToken: "garbage" })));
    expect(error.code).toBe(Code.InvalidArgument);
  });
});

describe("ImportUsers (client streaming)", () => {
  it("keeps valid rows, reports each rejected row with its index and reason", async () => {
    const tag = unique();
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
    expect(summary.rejections.map((r) => [r.index, r.code])).toEqual([
      [1, "INVALID_ARGUMENT"],
      [3, "ALREADY_EXISTS"],
      [4, "INVALID_ARGUMENT"],
    ]);
    expect((await collect(client.listUsers({ query: tag }))).map((m) => m.user?.name).sort()).toEqual([
      "Dup A",
      "Ok One",
    ]);
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
});
