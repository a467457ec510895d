/**
 * The Jensen–Shannon distance √(½ KL(p‖m) + ½ KL(q‖m)), m = (p + q)/2, as SciPy's
 * `scipy.spatial.distance.jensenshannon(p, q, base)` (p and q normalised to sum 1 first).
 *
 * The base of the logarithm defaults to 2, as in Evidently, whose drift threshold 0.1 we use: in
 * base 2 the distance lies in [0, 1] (in SciPy's default natural base it lies in [0, √ln 2]).
 *
 * The distributions compared: for a categorical feature, the frequencies of every category seen
 * on either side; for a numeric one, a common histogram with the reference's 20 equal-width bins
 * over [min, max] (NumPy's `histogram` bins: edges `linspace(min, max, 21)`, each bin [eᵢ, eᵢ₊₁)
 * except the last, closed; a constant reference gets [v − ½, v + ½], as NumPy does) plus two outer
 * bins (−∞, min) and (max, +∞) that are empty in the reference and catch current values outside
 * its range.
 */
import { type CategoricalValues, type NumericValues, countAtMost, categoryTable, emptyError, pairwiseSum, sortedPresentNumbers } from "./values.js";

/** The number of equal-width bins of the reference histogram. */
export const HISTOGRAM_BINS = 20;

/** The default logarithm base of the Jensen–Shannon distance. */
export const JS_DEFAULT_BASE = 2;

/** Jensen–Shannon distance between two (unnormalised, non-negative) distributions over the same bins. */
export function jensenShannon(p: ArrayLike<number>, q: ArrayLike<number>, base: number | null = JS_DEFAULT_BASE): number {
  const pSum = pairwiseSum(p);
  const qSum = pairwiseSum(q);
  if (!(pSum > 0)) throw emptyError("reference");
  if (!(qSum > 0)) throw emptyError("current");
  const n = p.length;
  const left = new Float64Array(n);
  const right = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const pi = p[i] / pSum;
    const qi = q[i] / qSum;
    const m = (pi + qi) / 2;
    // rel_entr(x, m) = x·ln(x/m), 0 when x = 0.
    left[i] = pi > 0 ? pi * Math.log(pi / m) : 0;
    right[i] = qi > 0 ? qi * Math.log(qi / m) : 0;
  }
  let js = pairwiseSum(left) + pairwiseSum(right);
  if (base !== null) js /= Math.log(base);
  return Math.sqrt(js / 2);
}

/** NumPy's `linspace(start, stop, num)`: start + i·step, the last one exactly stop. */
function linspace(start: number, stop: number, num: number): number[] {
  const div = num - 1;
  const step = (stop - start) / div;
  const out = Array.from({ length: num }, (_, i) => i * step + start);
  out[num - 1] = stop;
  return out;
}

/** The edges of the reference histogram: 21 equal steps over [min, max] (widened by ½ when min = max). */
export function histogramEdges(min: number, max: number, bins = HISTOGRAM_BINS): number[] {
  const lo = min === max ? min - 0.5 : min;
  const hi = min === max ? max + 0.5 : max;
  return linspace(lo, hi, bins + 1);
}

/** Counts per histogram bin of NaN-free values: [below the first edge, each bin…, above the last edge]. */
export function histogramCounts(edges: ArrayLike<number>, values: ArrayLike<number>): number[] {
  const bins = edges.length - 1;
  const counts = new Array<number>(bins + 2).fill(0);
  const last = edges[bins];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < edges[0]) counts[0]++;
    else if (v > last) counts[bins + 1]++;
    else if (v === last) counts[bins]++;
    else counts[countAtMost(edges, v)]++;
  }
  return counts;
}

/** JS distance of a numeric feature over the reference histogram plus outer bins (missing values dropped). */
export function jensenShannonNumeric(reference: NumericValues, current: NumericValues, base: number | null = JS_DEFAULT_BASE): number {
  const ref = sortedPresentNumbers(reference);
  if (ref.length === 0) throw emptyError("reference");
  const cur = sortedPresentNumbers(current);
  if (cur.length === 0) throw emptyError("current");
  const edges = histogramEdges(ref[0], ref[ref.length - 1]);
  return jensenShannon(histogramCounts(edges, ref), histogramCounts(edges, cur), base);
}

/** JS distance of a categorical feature over every category seen on either side (missing values dropped). */
export function jensenShannonCategorical(reference: CategoricalValues, current: CategoricalValues, base: number | null = JS_DEFAULT_BASE): number {
  const t = categoryTable(reference, current);
  return jensenShannon(t.reference, t.current, base);
}
