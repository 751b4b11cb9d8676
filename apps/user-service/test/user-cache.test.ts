import { randomUUID } from "node:crypto";
import { Code } from "@connectrpc/connect";
import type { Database } from "@switchboard/database";
import { UserService } from "@switchboard/proto/switchboard/user/v1/user_service_pb.js";
import { callError } from "@switchboard/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migratedDatabase, startUserService } from "./harness.js";

// GetUser's cache (src/domain/user-cache.ts) through the real service: never stale after this
// instance's own writes; another instance's writes seen within the TTL.

let db: Database;
/** One clock for both instances, moved by hand: the bound is checked exactly, not by sleeping. */
let now = 1_000_000;
const clock = () => now;
let a: Awaited<ReturnType<typeof startUserService>>;
let b: Awaited<ReturnType<typeof startUserService>>;
const TTL_MS = 1000;

beforeAll(async () => {
  db = await migratedDatabase();
  // Two instances over one database, as k8s runs them.
  a = await startUserService(db, { userCache: { ttlMs: TTL_MS, maxEntries: 100, now: clock } });
  b = await startUserService(db, { userCache: { ttlMs: TTL_MS, maxEntries: 100, now: clock } });
});
afterAll(async () => {
  await a.close();
  await b.close();
  await db.close();
});

const newUser = (name: string) => ({
  requestId: randomUUID(),
  name,
  email: `${name.toLowerCase()}.${randomUUID()}@example.com`,
});

/** Changes the row behind the service's back: what a cached read would not see. */
const renameInDatabase = (id: string, name: string) =>
  db.query("UPDATE users SET name = $2 WHERE id = $1", [id, name]);

describe("GetUser's cache on one instance", () => {
  it("serves a cached user (the database changed behind its back is not seen within the TTL)", async () => {
    const client = a.client(UserService);
    const { user } = await client.createUser(newUser("Cached"));
    await client.getUser({ id: user!.id });
    await renameInDatabase(user!.id, "Behind its back");
    expect((await client.getUser({ id: user!.id })).user?.name).toBe("Cached");
    now += TTL_MS;
    expect((await client.getUser({ id: user!.id })).user?.name).toBe("Behind its back");
  });

  it("never serves a user stale after its own UpdateUser (the clock stands still: its copy would be fresh)", async () => {
    const client = a.client(UserService);
    const { user } = await client.createUser(newUser("Before"));
    expect((await client.getUser({ id: user!.id })).user?.name).toBe("Before");
    const { user: updated } = await client.updateUser({
      user: { id: user!.id, name: "After" },
      updateMask: { paths: ["name"] },
      expectedVersion: 1n,
    });
    expect((await client.getUser({ id: user!.id })).user).toEqual(updated);
    // A failed (stale) update changes nothing and leaves the right answer served.
    expect(
      (
        await callError(
          client.updateUser({
            user: { id: user!.id, name: "Lost" },
            updateMask: { paths: ["name"] },
            expectedVersion: 1n,
          }),
        )
      ).code,
    ).toBe(Code.Aborted);
    expect((await client.getUser({ id: user!.id })).user).toEqual(updated);
  });

  it("never serves a user after its own DeleteUser", async () => {
    const client = a.client(UserService);
    const { user } = await client.createUser(newUser("Doomed"));
    await client.getUser({ id: user!.id });
    await client.deleteUser({ id: user!.id, expectedVersion: 1n });
    expect((await callError(client.getUser({ id: user!.id }))).code).toBe(Code.NotFound);
  });

  it("is fresh after an update without expected_version (0) too", async () => {
    const client = a.client(UserService);
    const { user } = await client.createUser(newUser("Session"));
    await client.getUser({ id: user!.id });
    await client.updateUser({
      user: { id: user!.id, email: `moved.${randomUUID()}@example.com` },
      updateMask: { paths: ["email"] },
    });
    expect((await client.getUser({ id: user!.id })).user?.version).toBe(2n);
  });
});

describe("GetUser's cache across instances sharing one database", () => {
  it("shows another instance's update within the TTL, and no later", async () => {
    const onA = a.client(UserService);
    const onB = b.client(UserService);
    const { user } = await onB.createUser(newUser("Shared"));
    expect((await onA.getUser({ id: user!.id })).user?.name).toBe("Shared");
    const readAt = now;
    await onB.updateUser({ user: { id: user!.id, name: "Renamed on B" }, updateMask: { paths: ["name"] } });
    // B's own read is fresh at once; A may serve its copy until TTL after A's read started.
    expect((await onB.getUser({ id: user!.id })).user?.name).toBe("Renamed on B");
    now = readAt + TTL_MS - 1;
    expect((await onA.getUser({ id: user!.id })).user?.name).toBe("Shared");
    now = readAt + TTL_MS;
    expect((await onA.getUser({ id: user!.id })).user?.name).toBe("Renamed on B");
  });

  it("shows another instance's delete within the TTL: NOT_FOUND once it has passed", async () => {
    const onA = a.client(UserService);
    const onB = b.client(UserService);
    const { user } = await onB.createUser(newUser("Leaving"));
    await onA.getUser({ id: user!.id });
    await onB.deleteUser({ id: user!.id });
    now += TTL_MS;
    expect((await callError(onA.getUser({ id: user!.id }))).code).toBe(Code.NotFound);
  });

  it("finds a user created on another instance at once (misses are not kept)", async () => {
    const onA = a.client(UserService);
    const id = randomUUID();
    expect((await callError(onA.getUser({ id }))).code).toBe(Code.NotFound);
    const { user } = await b.client(UserService).createUser(newUser("Newcomer"));
    expect((await onA.getUser({ id: user!.id })).user?.name).toBe("Newcomer");
  });
});
