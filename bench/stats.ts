/** The benchmarks' statistics: medians of samples, and per-call times of short workloads. */

/** The median of `xs` (the mean of the middle two for an even count). */
export function median(xs: readonly number[]): number {
  const s = xs.slice().sort((p, q) => p - q);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Seconds per call of fn: after one warm-up call, calls are doubled until one batch lasts `minTime` seconds. */
export function timed(fn: () => void, minTime: number): number {
  fn();
  for (let calls = 1; ; calls *= 2) {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) fn();
    const t = (performance.now() - t0) / 1000;
    if (t >= minTime) return t / calls;
  }
}
