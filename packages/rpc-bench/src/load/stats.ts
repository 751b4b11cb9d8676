/** One measurement of one row against one server. */
export interface Sample {
  /** Calls (or uploads) made, failed ones included. */
  calls: number;
  /** Calls (or uploads) per second. */
  rps: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

/** A sample with the server's CPU time per call (or upload), in µs, read beside the load. */
export type Measured = Sample & { cpuUsPerCall: number };

/** The value at `fraction` (0..1) of sorted `values`. */
export function percentile(sorted: number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? Number.NaN;
}

/** A sample from per-call latencies (ms) over `seconds` of load. */
export function sampleOf(latenciesMs: number[], seconds: number, errors: number): Sample {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  return {
    calls: latenciesMs.length + errors,
    rps: latenciesMs.length / seconds,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    errors,
  };
}

export function median(values: number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    0.5,
  );
}
