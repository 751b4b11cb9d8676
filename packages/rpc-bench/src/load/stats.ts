/** One measurement of one row against one server. */
export interface Sample {
  /** Calls (or uploads) per second. */
  rps: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

/** The value at `fraction` (0..1) of sorted `values`. */
export function percentile(sorted: number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? Number.NaN;
}

/** A sample from per-call latencies (ms) over `seconds` of load. */
export function sampleOf(latenciesMs: number[], seconds: number, errors: number): Sample {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  return {
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
