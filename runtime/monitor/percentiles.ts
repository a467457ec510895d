/**
 * Percentiles as NumPy defines them by default (`np.percentile(a, q)`, method "linear", type 7 of
 * Hyndman & Fan): on the n sorted values, the virtual index i = (n − 1)·q/100 between neighbours
 * a[⌊i⌋] and a[⌊i⌋+1] with weight γ = i − ⌊i⌋, interpolated as a + (b − a)γ when γ < ½ and as
 * b − (b − a)(1 − γ) otherwise (NumPy's order of operations, so results agree bit for bit).
 */
import { pairwiseSum, presentNumbers } from "./values.js";

/** The q-quantile (0 ≤ q ≤ 1) of ascending values without NaN, as `np.quantile(a, q)`. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const index = (n - 1) * q;
  if (index >= n - 1) return sorted[n - 1];
  if (index <= 0) return sorted[0];
  const below = Math.floor(index);
  const gamma = index - below;
  const a = sorted[below];
  const b = sorted[below + 1];
  const diff = b - a;
  return gamma >= 0.5 ? b - diff * (1 - gamma) : a + diff * gamma;
}

/** The p-th percentile (0 ≤ p ≤ 100) of ascending values without NaN, as `np.percentile(a, p)`. */
export function percentileSorted(sorted: ArrayLike<number>, p: number): number {
  return quantileSorted(sorted, p / 100);
}

/** A latency (or any duration) summary of a window; the statistics are null when it is empty. */
export interface LatencySummary {
  count: number;
  mean: number | null;
  max: number | null;
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
}

/**
 * p50/p90/p95/p99 (NumPy's linear percentiles), mean (NumPy's summation order) and max of a
 * window's values; NaN entries are treated as missing and left out.
 */
export function latencySummary(values: ArrayLike<number>): LatencySummary {
  const present = presentNumbers(values);
  const n = present.length;
  if (n === 0) return { count: 0, mean: null, max: null, p50: null, p90: null, p95: null, p99: null };
  const mean = pairwiseSum(present) / n;
  present.sort();
  return {
    count: n,
    mean,
    max: present[n - 1],
    p50: percentileSorted(present, 50),
    p90: percentileSorted(present, 90),
    p95: percentileSorted(present, 95),
    p99: percentileSorted(present, 99),
  };
}
