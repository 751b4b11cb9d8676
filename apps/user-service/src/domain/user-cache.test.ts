import { describe, expect, it } from "vitest";
import type { UserRow } from "../store/user-row.js";
import { UserCache } from "./user-cache.js";

const row = (id: string, version: number): UserRow => ({
  id,
  name: `name ${version}`,
  email: `${id}@example.com`,
  avatar_image_id: "",
  create_time: new Date(0),
  update_time: new Date(0),
  version: String(version),
});

/** A fake database: one row per id, reads counted, and reads that can be held open. */
function database() {
  const rows = new Map<string, UserRow>();
  const held: (() => void)[] = [];
  const db = {
    rows,
    reads: 0,
    hold: false,
    release: () => {
      for (const go of held.splice(0)) go();
    },
    load: async (id: string) => {
      db.reads++;
      const answer = rows.get(id); // what the query sees is fixed when it starts
      if (db.hold) await new Promise<void>((resolve) => held.push(resolve));
      return answer;
    },
  };
  return db;
}

describe("UserCache", () => {
  it("serves a read for ttlMs from when its database read started, then reads again", async () => {
    let now = 1_000;
    const cache = new UserCache({ ttlMs: 100, maxEntries: 10, now: () => now });
    const db = database();
    db.rows.set("a", row("a", 1));
    expect(await cache.get("a", db.load)).toEqual(row("a", 1));
    db.rows.set("a", row("a", 2)); // another instance writes
    now += 99;
    expect((await cache.get("a", db.load))?.version).toBe("1");
    now += 1; // exactly ttlMs after the read started
    expect((await cache.get("a", db.load))?.version).toBe("2");
    expect(db.reads).toBe(2);
  });

  it("reads again after forget(id), and does not keep a read that was in flight when it was forgotten", async () => {
    const cache = new UserCache({ ttlMs: 60_000, maxEntries: 10 });
    const db = database();
    db.rows.set("a", row("a", 1));
    db.hold = true;
    const before = cache.get("a", db.load); // started before the write
    db.rows.set("a", row("a", 2));
    cache.forget("a"); // the write committed
    const after = cache.get("a", db.load); // must not share the older read
    db.release();
    expect((await before)?.version).toBe("1");
    expect((await after)?.version).toBe("2");
    db.hold = false;
    expect((await cache.get("a", db.load))?.version).toBe("2");
    expect(db.reads).toBe(2);
  });

  it("shares one database read among concurrent misses for the same id", async () => {
    const cache = new UserCache({ ttlMs: 60_000, maxEntries: 10 });
    const db = database();
    db.rows.set("a", row("a", 1));
    const answers = await Promise.all([1, 2, 3].map(() => cache.get("a", db.load)));
    expect(answers.map((answer) => answer?.version)).toEqual(["1", "1", "1"]);
    expect(db.reads).toBe(1);
  });

  it("keeps no miss: a user created after a NOT_FOUND is found at once", async () => {
    const cache = new UserCache({ ttlMs: 60_000, maxEntries: 10 });
    const db = database();
    expect(await cache.get("a", db.load)).toBeUndefined();
    db.rows.set("a", row("a", 1));
    expect((await cache.get("a", db.load))?.version).toBe("1");
  });

  it("keeps at most maxEntries, dropping the least recently read", async () => {
    const cache = new UserCache({ ttlMs: 60_000, maxEntries: 2 });
    const db = database();
    for (const id of ["a", "b", "c"]) db.rows.set(id, row(id, 1));
    await cache.get("a", db.load);
    await cache.get("b", db.load);
    await cache.get("a", db.load); // a is now the most recent
    await cache.get("c", db.load); // b goes
    expect(cache.size).toBe(2);
    const reads = db.reads;
    await cache.get("a", db.load);
    await cache.get("c", db.load);
    expect(db.reads).toBe(reads);
    await cache.get("b", db.load);
    expect(db.reads).toBe(reads + 1);
  });

  it("with ttlMs 0 reads the database every time and keeps nothing", async () => {
    const cache = new UserCache({ ttlMs: 0, maxEntries: 10 });
    const db = database();
    db.rows.set("a", row("a", 1));
    await cache.get("a", db.load);
    await cache.get("a", db.load);
    expect(db.reads).toBe(2);
    expect(cache.size).toBe(0);
  });
});
