import type { UserRow } from "../store/user-row.js";

export interface UserCacheOptions {
  /** How long a row read from the database may be served: the bound on staleness across instances. 0: no cache. */
  ttlMs: number;
  /** At most this many users are kept; past it, the least recently read goes. */
  maxEntries: number;
  /** Milliseconds; tests move it by hand. */
  now?: () => number;
}

/** The defaults of USER_CACHE_TTL_MS and USER_CACHE_MAX_ENTRIES (config.ts), and of buildApp. */
export const DEFAULT_USER_CACHE: UserCacheOptions = { ttlMs: 1000, maxEntries: 10_000 };

interface Read {
  row: Promise<UserRow | undefined>;
  /** Set when a write to this user lands while the read is in flight: what it read may predate it. */
  overtaken: boolean;
}

/**
 * A read-through cache of users by id, for GetUser: a bounded LRU whose entries live `ttlMs`
 * from the moment their database read *started*.
 *
 * Staleness, stated:
 * - This instance's own writes are never served stale: UserDirectory calls `forget(id)` after
 *   each committed update or delete and before answering it, and a read still in flight at that
 *   moment is marked overtaken and not kept. So a GetUser that starts after an UpdateUser or
 *   DeleteUser returned reads the database.
 * - Another instance's writes (k8s runs several over one database) are visible here at most
 *   `ttlMs` after they commit: any row served later than that was read by a query that started
 *   after the commit.
 * - Only GetUser (and a UserSession's lookups) read through it. Writes check `expected_version`
 *   against the database, so a stale read can make a client's next update ABORTED, never lost.
 * - Misses (NOT_FOUND) are not kept: a user created anywhere can be read at once.
 *
 * Concurrent misses for one id share one database read.
 */
export class UserCache {
  readonly #entries = new Map<string, { row: UserRow; readAtMs: number }>();
  readonly #reads = new Map<string, Read>();
  readonly #now: () => number;

  constructor(private readonly options: UserCacheOptions) {
    this.#now = options.now ?? Date.now;
  }

  /** The user `id`, from the cache if fresh enough, else from `load` (the database). */
  get(id: string, load: (id: string) => Promise<UserRow | undefined>): Promise<UserRow | undefined> {
    if (this.options.ttlMs <= 0 || this.options.maxEntries <= 0) return load(id);
    const now = this.#now();
    const entry = this.#entries.get(id);
    if (entry) {
      this.#entries.delete(id);
      if (now - entry.readAtMs < this.options.ttlMs) {
        this.#entries.set(id, entry); // most recently used goes last
        return Promise.resolve(entry.row);
      }
    }
    const pending = this.#reads.get(id);
    if (pending) return pending.row;
    const read: Read = { row: load(id), overtaken: false };
    this.#reads.set(id, read);
    read.row.then(
      (row) => {
        if (this.#reads.get(id) === read) this.#reads.delete(id);
        if (row && !read.overtaken) this.#keep(id, row, now);
      },
      () => {
        if (this.#reads.get(id) === read) this.#reads.delete(id);
      },
    );
    return read.row;
  }

  /** After a committed write to `id`: drop its entry, and keep nothing a read in flight brings back. */
  forget(id: string): void {
    this.#entries.delete(id);
    const read = this.#reads.get(id);
    if (read) {
      read.overtaken = true;
      this.#reads.delete(id);
    }
  }

  /** How many users are kept. */
  get size(): number {
    return this.#entries.size;
  }

  #keep(id: string, row: UserRow, readAtMs: number): void {
    this.#entries.delete(id);
    this.#entries.set(id, { row, readAtMs });
    if (this.#entries.size > this.options.maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
  }
}
