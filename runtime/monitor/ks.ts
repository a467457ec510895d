/**
 * The two-sample Kolmogorov–Smirnov test, two-sided, as SciPy's `ks_2samp(ref, cur)` with its
 * default `method="auto"`:
 *
 * - D = max over every observed value v of |F_ref(v) − F_cur(v)| (empirical CDFs counting values
 *   ≤ v, so ties are handled exactly).
 * - When both samples have at most 10,000 values, the exact p-value Pr(D ≥ d) under the null:
 *   with equal sizes by the closed alternating sum of Hodges (Horner form), otherwise by counting
 *   lattice paths that leave the band |x/m − y/n| < h/lcm(m, n), with the recursion rewritten to give
 *   1 − p directly (Viehmann, arXiv:2102.08037). D is rounded to the lattice h/lcm first, as SciPy does.
 * - Otherwise (or when the exact value is not a probability) the asymptotic one: the one-sample
 *   distribution `kstwo` at n = round(mn/(m+n)) (see `kolmogorov.ts`).
 */
import { kstwoSf } from "./kolmogorov.js";
import { type NumericValues, emptyError, roundHalfEven, sortedPresentNumbers } from "./values.js";

/** SciPy's `MAX_AUTO_N`: above this sample size `auto` uses the asymptotic distribution. */
export const KS_MAX_EXACT_N = 10_000;

/** A two-sample KS test: the statistic D, its p-value, and which distribution gave the p-value. */
export interface KsResult {
  statistic: number;
  pValue: number;
  method: "exact" | "asymp";
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** D = sup |F₁ − F₂| of two ascending samples, computed at every observed value as SciPy does. */
export function ksStatistic(sorted1: Float64Array, sorted2: Float64Array): number {
  const n1 = sorted1.length;
  const n2 = sorted2.length;
  let i1 = 0;
  let i2 = 0;
  let max = -Infinity;
  let min = Infinity;
  while (i1 < n1 || i2 < n2) {
    const v = i2 >= n2 || (i1 < n1 && sorted1[i1] <= sorted2[i2]) ? sorted1[i1] : sorted2[i2];
    while (i1 < n1 && sorted1[i1] <= v) i1++;
    while (i2 < n2 && sorted2[i2] <= v) i2++;
    const diff = i1 / n1 - i2 / n2;
    if (diff > max) max = diff;
    if (diff < min) min = diff;
  }
  const minS = Math.min(Math.max(-min, 0), 1);
  return minS > max ? minS : max;
}

/** Pr(D_{n,n} ≥ h/n): 2·Σ_k (−1)^(k+1) C(2n, n−kh)/C(2n, n), evaluated innermost-first to avoid cancellation. */
function probOutsideSquare(n: number, h: number): number {
  let p = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let ratio = 1;
    for (let j = 0; j < h; j++) ratio = ((n - k * h - j) * ratio) / (n + k * h + j + 1);
    p = ratio * (1 - p);
  }
  return 2 * p;
}

/**
 * The share of monotone lattice paths from (0,0) to (m,n) that touch or cross the lines
 * |x/m − y/n| = h/lcm: the exact two-sided p-value. Column by column, each cell holds the
 * probability that a random path to it has already left the band (1 outside the band).
 */
function probOutsideBand(m0: number, n0: number, g: number, h: number): number {
  const m = Math.max(m0, n0);
  const n = Math.min(m0, n0);
  const mg = m / g;
  const ng = n / g;
  let lo = 0;
  let hi = Math.min(Math.ceil(h / mg), n + 1);
  let width = hi - lo;
  const cells = new Float64Array(Math.min(2 * hi + 2, n + 1)).fill(1);
  for (let j = lo; j < hi; j++) cells[j] = 0;
  for (let i = 1; i <= m; i++) {
    const lastLo = lo;
    const lastWidth = width;
    lo = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    hi = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (hi <= lo) return 1;
    let below = lo === 0 ? 0 : 1;
    for (let jj = 0; jj < hi - lo; jj++) {
      const j = jj + lo;
      below = (cells[jj + lo - lastLo] * i + below * j) / (i + j);
      cells[jj] = below;
    }
    width = hi - lo;
    if (lastWidth > width) cells.fill(1, width, width + (lastWidth - width));
  }
  return cells[hi - lo - 1];
}

/**
 * The exact two-sided p-value (p undefined where SciPy gives up and uses the asymptotic one) and
 * D snapped to the lattice h/lcm(n1, n2), which SciPy reports either way.
 */
function exactPValue(n1: number, n2: number, d: number): { d: number; p: number | undefined } {
  const g = gcd(n1, n2);
  const lcm = (n1 / g) * n2;
  const h = roundHalfEven(d * lcm);
  const dl = h / lcm;
  if (h === 0) return { d: dl, p: 1 };
  const p = n1 === n2 ? probOutsideSquare(n1, h) : probOutsideBand(n1, n2, g, h);
  return { d: dl, p: p >= 0 && p <= 1 ? p : undefined };
}

/**
 * Two-sided two-sample KS test of `reference` against `current` (missing values dropped), as
 * `scipy.stats.ks_2samp(reference, current)`; an empty side is a coded error.
 */
export function ks(reference: NumericValues, current: NumericValues): KsResult {
  const a = sortedPresentNumbers(reference);
  const b = sortedPresentNumbers(current);
  return ksSorted(a, b);
}

/** `ks` on samples already sorted ascending without missing values. */
export function ksSorted(a: Float64Array, b: Float64Array): KsResult {
  if (a.length === 0) throw emptyError("reference");
  if (b.length === 0) throw emptyError("current");
  const n1 = a.length;
  const n2 = b.length;
  let d = ksStatistic(a, b);
  if (Math.max(n1, n2) <= KS_MAX_EXACT_N) {
    const exact = exactPValue(n1, n2, d);
    if (exact.p !== undefined) return { statistic: exact.d, pValue: exact.p, method: "exact" };
    d = exact.d;
  }
  const m = Math.max(n1, n2);
  const n = Math.min(n1, n2);
  const en = (m * n) / (m + n);
  const p = kstwoSf(d, roundHalfEven(en));
  return { statistic: d, pValue: Math.min(Math.max(p, 0), 1), method: "asymp" };
}
