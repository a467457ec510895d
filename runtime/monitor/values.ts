/**
 * The value handling every drift statistic shares: what counts as missing, sums in NumPy's order,
 * NumPy's rounding, and the coded errors for windows with nothing to compare.
 */
import { DataError } from "../errors.js";

/** A numeric column as a caller reads it: a typed array (NaN is missing) or plain values (null is missing). */
export type NumericValues = Float64Array | Float32Array | Int32Array | ArrayLike<number | bigint | null | undefined>;

/** A categorical column: any scalar, compared by its string form; null and undefined are missing. */
export type CategoricalValues = ArrayLike<string | number | boolean | bigint | null | undefined>;

/**
 * A categorical column counted already (by DuckDB's GROUP BY, say): each present category's count
 * by its string key, missing values left out. Counting gives the same tables as the values would.
 */
export class CategoryCounts {
  constructor(readonly counts: ReadonlyMap<string, number>) {}
}

/** Whether a numeric value is missing: null, undefined or NaN. */
export function isMissingNumber(v: number | bigint | null | undefined): boolean {
  return v === null || v === undefined || (typeof v === "number" && Number.isNaN(v));
}

/** The present (non-missing) values of a numeric column, in their original order. */
export function presentNumbers(values: NumericValues): Float64Array {
  const out = new Float64Array(values.length);
  let k = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (isMissingNumber(v)) continue;
    out[k++] = Number(v);
  }
  return k === out.length ? out : out.slice(0, k);
}

/** The present values of a numeric column, sorted ascending (a copy). */
export function sortedPresentNumbers(values: NumericValues): Float64Array {
  return presentNumbers(values).sort();
}

/** The string key of a categorical value, or null when it is missing. */
export function categoryKey(v: string | number | boolean | bigint | null | undefined): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === "number" && Number.isNaN(v)) return null;
  return String(v);
}

/** Counts of each present category, and how many values were present. */
export function countCategories(values: CategoricalValues): { counts: Map<string, number>; present: number } {
  const counts = new Map<string, number>();
  let present = 0;
  for (let i = 0; i < values.length; i++) {
    const k = categoryKey(values[i]);
    if (k === null) continue;
    present++;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return { counts, present };
}

/**
 * The reference's and the current window's counts over every category seen on either side
 * (sorted by name); a side without a present value is a coded error.
 */
export function categoryTable(reference: CategoricalValues, current: CategoricalValues): { labels: string[]; reference: number[]; current: number[] } {
  const ref = countCategories(reference);
  const cur = countCategories(current);
  if (ref.present === 0) throw emptyError("reference");
  if (cur.present === 0) throw emptyError("current");
  const labels = [...new Set([...ref.counts.keys(), ...cur.counts.keys()])].sort();
  return { labels, reference: labels.map((k) => ref.counts.get(k) ?? 0), current: labels.map((k) => cur.counts.get(k) ?? 0) };
}

/**
 * The sum of `a[0..n)` in the order NumPy's `np.sum` adds a contiguous float64 array (eight
 * interleaved partial sums in blocks of at most 128, halves above that), so sums agree with
 * NumPy's bit for bit rather than to n·ε.
 */
export function pairwiseSum(a: ArrayLike<number>, start = 0, n = a.length - start): number {
  if (n < 8) {
    let s = 0;
    for (let i = 0; i < n; i++) s += a[start + i];
    return s;
  }
  if (n <= 128) {
    const r = [a[start], a[start + 1], a[start + 2], a[start + 3], a[start + 4], a[start + 5], a[start + 6], a[start + 7]];
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j] += a[start + i + j];
    let s = r[0] + r[1] + (r[2] + r[3]) + (r[4] + r[5] + (r[6] + r[7]));
    for (; i < n; i++) s += a[start + i];
    return s;
  }
  let half = Math.floor(n / 2);
  half -= half % 8;
  return pairwiseSum(a, start, half) + pairwiseSum(a, start + half, n - half);
}

/** NumPy's `np.round` to an integer: halves go to the even neighbour. */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const diff = x - f;
  if (diff > 0.5) return f + 1;
  if (diff < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** The number of entries of the ascending `sorted` that are ≤ v (`np.searchsorted(..., side="right")`). */
export function countAtMost(sorted: ArrayLike<number>, v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The number of entries of the ascending `sorted` that are < v (`np.searchsorted(..., side="left")`). */
export function countBelow(sorted: ArrayLike<number>, v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The coded error for a window (or reference) with no present value to compare. */
export function emptyError(which: "reference" | "current", feature?: string): DataError {
  const what = feature === undefined ? "" : ` for \`${feature}\` (no rows, or all missing)`;
  return which === "current"
    ? new DataError(`the current window has no values${what} to compare with the reference`, undefined, "empty-window")
    : new DataError(`the reference has no values${what} to compare with`, undefined, "empty-reference");
}
