import { randomUUID } from "node:crypto";
import type { Database } from "@switchboard/database";
import { brokerUrls, collect, ensureBrokers, until } from "@switchboard/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmailTakenError, UserStore } from "../src/store/user-store.js";
import { countedListings, migratedDatabase, seedUsers } from "./harness.js";

describe.each(["pglite", "postgres"] as const)("the user store on %s", (engine) => {
  let db: Database;
  let store: UserStore;
  const listings = countedListings();
  beforeAll(async () => {
    if (engine === "postgres") await ensureBrokers("postgres");
    db = await migratedDatabase(engine === "postgres" ? brokerUrls.postgres : undefined);
    store = new UserStore(db, listings);
  });
  afterAll(async () => {
    await db?.close();
  });

  const insert = (name: string, email: string) =>
    db.transaction((tx) => store.insert(tx, { id: randomUUID(), name, email, now: new Date() }));

  it("inserts and reads back a user", async () => {
    const row = await insert("Ana", `ana.${engine}@example.com`);
    expect(await store.get(db, row.id)).toMatchObject({ name: "Ana", version: "1" });
  });

  it("treats emails that differ only in case as the same", async () => {
    await insert("One", `Same.${engine}@Example.com`);
    await expect(insert("Two", `same.${engine}@example.com`)).rejects.toBeInstanceOf(EmailTakenError);
  });

  it("updates with a version check: the expected version wins once, a stale one reports the current row", async () => {
    const row = await insert("V", `v.${engine}@example.com`);
    const first = await db.transaction((tx) => store.update(tx, row.id, { name: "V2" }, 1n, new Date()));
    expect(first).toMatchObject({ row: { name: "V2", version: "2" } });
    const stale = await db.transaction((tx) => store.update(tx, row.id, { name: "V3" }, 1n, new Date()));
    expect(stale).toMatchObject({ stale: { version: "2" } });
  });

  it("rolls back a write whose transaction fails, leaving nothing half-written", async () => {
    const id = randomUUID();
    await expect(
      db.transaction(async (tx) => {
        await store.insert(tx, { id, name: "Half", email: `half.${engine}@example.com`, now: new Date() });
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(await store.get(db, id)).toBeUndefined();
  });

  it("lists matches in id order across batches, escaping LIKE wildcards", async () => {
    const tag = `t${randomUUID().slice(0, 6)}`;
    for (let i = 0; i < 7; i++) await insert(`${tag} ${i}`, `${tag}.${i}@example.com`);
    await insert("100% sure", `pct.${engine}@example.com`);
    const rows = [];
    for await (const row of store.list({ query: tag, batchSize: 3 }, new AbortController().signal))
      rows.push(row);
    expect(rows).toHaveLength(7);
    expect(rows.map((r) => r.id)).toEqual([...rows.map((r) => r.id)].sort());
    const percent = [];
    for await (const row of store.list({ query: "%" }, new AbortController().signal)) percent.push(row.name);
    expect(percent).toEqual(["100% sure"]);
  });

  it("continues after an id and stops at a limit (keyset pagination)", async () => {
    const tag = `k${randomUUID().slice(0, 6)}`;
    for (let i = 0; i < 5; i++) await insert(`${tag} ${i}`, `${tag}.${i}@example.com`);
    const all = await collect(store.list({ query: tag }, new AbortController().signal));
    const rest = await collect(
      store.list({ query: tag, afterId: all[1]!.id, limit: 2, batchSize: 1 }, new AbortController().signal),
    );
    expect(rest.map((r) => r.id)).toEqual(all.slice(2, 4).map((r) => r.id));
  });

  it("finishes a listing as soon as its signal aborts, even if its reader never asks for more", async () => {
    await seedUsers(db, 50, `Abort ${engine}`);
    const controller = new AbortController();
    const openBefore = listings.open;
    const batchesBefore = listings.batchesRead;
    const rows = store.list({ query: `Abort ${engine}`, batchSize: 10 }, controller.signal);
    await rows.next(); // one row read, the reader then stalls (as behind a blocked write)
    expect(listings.open).toBe(openBefore + 1);
    controller.abort();
    await until(() => listings.open === openBefore);
    expect(listings.batchesRead - batchesBefore).toBe(1);
    expect((await rows.next()).done).toBe(true);
  });
});
