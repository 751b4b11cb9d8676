/** The median, in seconds, of `rounds` timed runs of `work` (benchmarks: robust to one noisy run). */
export async function medianSeconds(rounds: number, work: () => Promise<void>): Promise<number> {
  const seconds: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    await work();
    seconds.push((performance.now() - started) / 1000);
  }
  return seconds.sort((a, b) => a - b)[Math.floor(seconds.length / 2)] ?? 0;
}
