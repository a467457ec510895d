/**
 * The population stability index between a reference and a current window.
 *
 * Numeric features: bins from the reference's deciles. The nine inner edges are the reference's
 * quantiles at 0.1, 0.2, …, 0.9 (NumPy's linear definition, `percentiles.ts`), with repeated values
 * kept once, so a feature with heavy ties gets fewer than ten bins rather than empty ones. Bins are
 * closed on the right and the outer ones are unbounded: (−∞, e₁], (e₁, e₂], …, (e_k, +∞); a value v
 * falls in bin #{edges < v}. Categorical features: one bin per category seen on either side.
 *
 * A bin empty on both sides carries no information and is left out (interpolated deciles can
 * leave a bin with no reference value; smoothing it on both sides would add a spurious term).
 * Proportions are counts over the present (non-missing) values of each side. Empty bins are
 * smoothed as Evidently does (`get_binned_data`, `feel_zeroes=True`), each side on its own: a zero
 * proportion becomes 10⁻⁴, or min(non-zero proportions)/10⁶ when that minimum is itself ≤ 10⁻⁴.
 * Then
 *
 *     PSI = Σᵢ (rᵢ − cᵢ) · ln(rᵢ / cᵢ)
 *
 * summed bin by bin in order. Customary reading: < 0.1 stable, 0.1–0.25 a moderate shift (the
 * default drift threshold, as Evidently's), ≥ 0.25 a major one.
 */
import { quantileSorted } from "./percentiles.js";
import { type CategoricalValues, type NumericValues, countBelow, categoryTable, emptyError, sortedPresentNumbers } from "./values.js";

/** The decile levels whose reference quantiles are the PSI bin edges. */
export const PSI_LEVELS = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((k) => k / 10);

/** The PSI bin edges of an ascending, NaN-free reference: its deciles, each distinct value once. */
export function psiEdges(sortedReference: ArrayLike<number>): number[] {
  const edges: number[] = [];
  for (const q of PSI_LEVELS) {
    const e = quantileSorted(sortedReference, q);
    if (edges.length === 0 || e !== edges[edges.length - 1]) edges.push(e);
  }
  return edges;
}

/** Counts per PSI bin ((−∞, e₁], …, (e_k, +∞)) of NaN-free values. */
export function psiBinCounts(edges: ArrayLike<number>, values: ArrayLike<number>): number[] {
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (let i = 0; i < values.length; i++) counts[countBelow(edges, values[i])]++;
  return counts;
}

/** Proportions count/total with Evidently's smoothing of zeros (see the module comment). */
export function smoothedProportions(counts: ArrayLike<number>, total: number): number[] {
  const p = Array.from(counts, (c) => c / total);
  let minNonZero = Infinity;
  for (const v of p) if (v !== 0 && v < minNonZero) minNonZero = v;
  const fill = minNonZero <= 0.0001 ? minNonZero / 10 ** 6 : 0.0001;
  return p.map((v) => (v === 0 ? fill : v));
}

/** PSI from per-bin counts of the reference and the current window (same bins, same order). */
export function psiCounts(referenceCounts: ArrayLike<number>, currentCounts: ArrayLike<number>): number {
  const ref: number[] = [];
  const cur: number[] = [];
  let refTotal = 0;
  let curTotal = 0;
  for (let i = 0; i < referenceCounts.length; i++) {
    if (referenceCounts[i] === 0 && currentCounts[i] === 0) continue;
    ref.push(referenceCounts[i]);
    cur.push(currentCounts[i]);
    refTotal += referenceCounts[i];
    curTotal += currentCounts[i];
  }
  if (refTotal === 0) throw emptyError("reference");
  if (curTotal === 0) throw emptyError("current");
  const r = smoothedProportions(ref, refTotal);
  const c = smoothedProportions(cur, curTotal);
  let psi = 0;
  for (let i = 0; i < r.length; i++) psi += (r[i] - c[i]) * Math.log(r[i] / c[i]);
  return psi;
}

/** PSI of a numeric feature over the reference's decile bins (missing values dropped). */
export function psi(reference: NumericValues, current: NumericValues): number {
  const ref = sortedPresentNumbers(reference);
  if (ref.length === 0) throw emptyError("reference");
  const cur = sortedPresentNumbers(current);
  if (cur.length === 0) throw emptyError("current");
  const edges = psiEdges(ref);
  return psiCounts(psiBinCounts(edges, ref), psiBinCounts(edges, cur));
}

/** PSI of a categorical feature, one bin per category seen on either side (missing values dropped). */
export function psiCategorical(reference: CategoricalValues, current: CategoricalValues): number {
  const t = categoryTable(reference, current);
  return psiCounts(t.reference, t.current);
}
