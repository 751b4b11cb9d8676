import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

const MiB = 1024 * 1024;

/** Bytes of messages between two young-generation collections. */
export const COLLECT_EVERY_BYTES = 2 * MiB;

type CollectGarbage = (options: { type: "minor" | "major" }) => void;

/**
 * V8's gc(), without starting the process with --expose-gc: the flag exposes it to contexts
 * created afterwards, and a new context hands it over.
 */
function exposedGc(): CollectGarbage {
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as CollectGarbage;
}

/**
 * Keeps a message stream's dead buffers from piling up. Every message in or out is a fresh
 * ArrayBuffer (grpc-js's frame, protobuf's encoding) that dies as soon as it is written or read,
 * but V8 frees dead ArrayBuffers only when it collects, and it collects for them only after
 * 64 MiB of them (its fixed external-memory limit): a process streaming a 50 MiB image carried
 * 60–70 MiB of dead chunks, which glibc then kept resident. A young-generation collection every
 * `everyBytes` of messages (well under a millisecond; the chunks die young) bounds that to about
 * `everyBytes`.
 */
export class MessageGarbage {
  #bytes = 0;
  #collect: CollectGarbage | undefined;

  /** `collect` defaults to V8's own young-generation collection, exposed on first use. */
  constructor(
    private readonly everyBytes = COLLECT_EVERY_BYTES,
    collect?: CollectGarbage,
  ) {
    this.#collect = collect;
  }

  /** Counts a message of `bytes`; collects once `everyBytes` have passed since the last time. */
  passed(bytes: number): void {
    this.#bytes += bytes;
    if (this.#bytes < this.everyBytes) return;
    this.#bytes = 0;
    this.#collect ??= exposedGc();
    this.#collect({ type: "minor" });
  }
}

/** One count for the process: the buffers of every call on every server add up in one heap. */
export const messageGarbage = new MessageGarbage();
