import { readFile } from "node:fs/promises";

const MiB = 1024 * 1024;

/** A process's resident memory now (VmRSS, not the VmHWM peak), in MiB, from /proc. */
export async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kib = Number(status.match(/VmRSS:\s+(\d+) kB/)?.[1]);
  if (!Number.isFinite(kib)) throw new Error(`no VmRSS for process ${pid}`);
  return (kib * 1024) / MiB;
}

export interface RssSamples {
  /** The first sample, taken when sampling started. */
  startMiB: number;
  /** The largest sample. */
  peakMiB: number;
  count: number;
}

/**
 * Samples another process's RSS every `everyMs` until stopped. Unlike VmHWM (a lifetime peak),
 * this shows what one piece of work adds while it runs.
 */
export async function sampleRss(pid: number, everyMs = 50): Promise<{ stop(): Promise<RssSamples> }> {
  const startMiB = await rssMiB(pid);
  let peakMiB = startMiB;
  let count = 1;
  const sample = async () => {
    try {
      peakMiB = Math.max(peakMiB, await rssMiB(pid));
      count++;
    } catch {
      // the process ended: the samples so far stand
    }
  };
  let pending = Promise.resolve();
  const timer = setInterval(() => {
    pending = pending.then(sample);
  }, everyMs);
  return {
    async stop() {
      clearInterval(timer);
      await pending;
      await sample();
      return { startMiB, peakMiB, count };
    },
  };
}
