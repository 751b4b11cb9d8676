import { createHash, randomUUID } from "node:crypto";
import { createReadStream } from "node:fs";
import { access, type FileHandle, mkdir, open, readdir, rename, rm, stat, utimes } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";

/** A finished, verified file waiting to be committed under its content address. */
export interface PendingBlob {
  /** The temporary file, inside the store's tmp/ (same filesystem, so the commit is a rename). */
  readonly tempPath: string;
  readonly sha256: string;
  readonly size: number;
}

/** Temporary folders untouched this long belong to processes that died: swept at start. */
const STALE_TEMP_MS = 24 * 60 * 60 * 1000;

/**
 * Content-addressed files: `blobs/ab/abcdef…` named by their SHA-256. Bytes are first written to
 * a temporary folder of this process (`tmp/<uuid>/`, on the same filesystem) and only renamed into
 * place once complete and verified, so a reader never sees a partial blob and a crash leaves at
 * most a temporary file. The same bytes are stored once, however often they are committed.
 * Several processes may share one store (one volume): each writes in its own temporary folder.
 */
export class BlobStore {
  readonly #blobs: string;
  readonly #tmpRoot: string;
  readonly #tmp: string;

  constructor(root: string) {
    this.#blobs = join(root, "blobs");
    this.#tmpRoot = join(root, "tmp");
    this.#tmp = join(this.#tmpRoot, tempFolderName());
  }

  /**
   * Creates the folders, and removes the temporary folders of processes that died: at once for
   * a process of this host that no longer runs (a crash mid-upload leaves nothing after the next
   * start), after STALE_TEMP_MS for any other (another host sharing the volume may still be
   * writing in its folder).
   */
  async open(): Promise<this> {
    await mkdir(this.#blobs, { recursive: true });
    await mkdir(this.#tmp, { recursive: true });
    for (const name of await readdir(this.#tmpRoot)) {
      const folder = join(this.#tmpRoot, name);
      if (folder === this.#tmp) continue;
      const { mtimeMs } = await stat(folder).catch(() => ({ mtimeMs: Date.now() }));
      if (ownerIsDead(name) || Date.now() - mtimeMs > STALE_TEMP_MS) {
        await rm(folder, { recursive: true, force: true });
      }
    }
    return this;
  }

  /** Removes this process's temporary folder. */
  async close(): Promise<void> {
    await rm(this.#tmp, { recursive: true, force: true });
  }

  /** Where the blob with this SHA-256 lives (whether or not it exists). */
  pathOf(sha256: string): string {
    return join(this.#blobs, sha256.slice(0, 2), sha256);
  }

  /** A fresh temporary file name, for writers that produce a whole file themselves (sharp). */
  tempPath(): string {
    return join(this.#tmp, randomUUID());
  }

  /** A writer that hashes and counts bytes as it writes them to a temporary file. */
  async writer(): Promise<BlobWriter> {
    const path = this.tempPath();
    return new BlobWriter(path, await open(path, "wx"));
  }

  /** Hashes a finished temporary file (one sharp wrote), ready to commit. */
  async pendingFromFile(tempPath: string): Promise<PendingBlob> {
    const hash = createHash("sha256");
    let size = 0;
    for await (const chunk of createReadStream(tempPath)) {
      hash.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
    return { tempPath, sha256: hash.digest("hex"), size };
  }

  /**
   * Moves a pending blob to its content address, atomically. Returns false when those bytes were
   * stored already (the temporary file is then just removed).
   */
  async commit(blob: PendingBlob): Promise<boolean> {
    const target = this.pathOf(blob.sha256);
    if (await exists(target)) {
      await rm(blob.tempPath, { force: true });
      // Touched: the sweep's grace period counts from the last commit of these bytes.
      const now = new Date();
      await utimes(target, now, now).catch(() => {});
      return false;
    }
    await mkdir(join(this.#blobs, blob.sha256.slice(0, 2)), { recursive: true });
    await rename(blob.tempPath, target);
    return true;
  }

  /** Drops a temporary file that will not be committed. Never throws. */
  async discard(tempPath: string): Promise<void> {
    await rm(tempPath, { force: true }).catch(() => {});
  }

  /** Removes a committed blob (used to undo a commit whose database transaction failed). */
  async remove(sha256: string): Promise<void> {
    await rm(this.pathOf(sha256), { force: true });
  }

  /** Every committed blob's content address and last modification (its commit, or the last re-commit of its bytes). */
  async *list(): AsyncGenerator<{ sha256: string; modifiedMs: number }> {
    for (const shard of await readdir(this.#blobs)) {
      for (const sha256 of await readdir(join(this.#blobs, shard)).catch(() => [])) {
        const modifiedMs = await this.modifiedMs(sha256);
        if (modifiedMs >= 0) yield { sha256, modifiedMs };
      }
    }
  }

  /** When a blob was last committed; -1 if there is none. */
  async modifiedMs(sha256: string): Promise<number> {
    return (await stat(this.pathOf(sha256)).catch(() => undefined))?.mtimeMs ?? -1;
  }

  /** Opens a committed blob for reading. */
  read(sha256: string): Promise<FileHandle> {
    return open(this.pathOf(sha256), "r");
  }
}

/** `<host>+<pid>+<uuid>` (no host name has a "+"): who writes in a temporary folder, so the next start can tell a dead owner. */
function tempFolderName(): string {
  return `${hostname()}+${process.pid}+${randomUUID()}`;
}

/** True when the folder belongs to a process of this host that is no longer running. */
function ownerIsDead(folderName: string): boolean {
  const [host, pid] = folderName.split("+");
  if (host !== hostname() || !/^\d+$/.test(pid ?? "")) return false;
  try {
    process.kill(Number(pid), 0);
    return false; // running (or a reused pid: then the age rule removes the folder later)
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}

/** Small chunks are gathered up to this many bytes per file write: one disk round trip, not many. */
const WRITE_BATCH_BYTES = 256 * 1024;

/**
 * Streams bytes into a temporary file while hashing and counting them; holds at most
 * WRITE_BATCH_BYTES of them in memory.
 */
export class BlobWriter {
  readonly #hash = createHash("sha256");
  #size = 0;
  #batch: Uint8Array[] = [];
  #batchBytes = 0;
  #head = Buffer.alloc(0);
  #closed = false;

  constructor(
    readonly tempPath: string,
    private readonly file: FileHandle,
  ) {}

  /** Bytes written so far. */
  get size(): number {
    return this.#size;
  }

  /** The first bytes written (up to 32): enough to recognise a file type by its magic number. */
  get head(): Buffer {
    return this.#head;
  }

  async write(chunk: Uint8Array): Promise<void> {
    if (this.#head.length < 32) {
      this.#head = Buffer.concat([this.#head, chunk.subarray(0, 32 - this.#head.length)]);
    }
    this.#hash.update(chunk);
    this.#size += chunk.length;
    this.#batch.push(chunk);
    this.#batchBytes += chunk.length;
    if (this.#batchBytes >= WRITE_BATCH_BYTES) await this.#flush();
  }

  /** Flushes and closes the file; the result can be verified and committed. */
  async finish(): Promise<PendingBlob> {
    await this.#flush();
    await this.#close();
    return { tempPath: this.tempPath, sha256: this.#hash.digest("hex"), size: this.#size };
  }

  /** Closes and deletes the temporary file. Never throws; safe after finish(). */
  async discard(): Promise<void> {
    await this.#close().catch(() => {});
    await rm(this.tempPath, { force: true }).catch(() => {});
  }

  async #flush(): Promise<void> {
    if (this.#batchBytes === 0) return;
    const [batch, bytes] = [this.#batch, this.#batchBytes];
    this.#batch = [];
    this.#batchBytes = 0;
    const { bytesWritten } = await this.file.writev(batch);
    if (bytesWritten !== bytes)
      throw new Error(`wrote ${bytesWritten} of ${bytes} bytes to ${this.tempPath}`);
  }

  async #close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.file.close();
  }
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
