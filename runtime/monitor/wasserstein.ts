/**
 * The 1-D Wasserstein (earth mover's) distance W₁ = ∫ |F_ref − F_cur|, as SciPy's
 * `wasserstein_distance(ref, cur)`: over the merged sorted values, Σ |F_ref(xᵢ) − F_cur(xᵢ)|·(xᵢ₊₁ − xᵢ)
 * with empirical CDFs counting values ≤ xᵢ, summed in NumPy's order.
 *
 * The drift statistic is the normalised W₁ / max(σ_ref, 0.001), σ_ref the reference's population
 * standard deviation (`np.std`, ddof 0), floored as Evidently does so a constant reference does
 * not divide by zero.
 */
import { type NumericValues, emptyError, pairwiseSum, presentNumbers, sortedPresentNumbers } from "./values.js";

/** The floor Evidently puts under the reference standard deviation. */
export const MIN_NORMALISING_STD = 0.001;

/** W₁ between two ascending, NaN-free samples. */
export function wassersteinSorted(u: Float64Array, v: Float64Array): number {
  if (u.length === 0) throw emptyError("reference");
  if (v.length === 0) throw emptyError("current");
  // Both sides are sorted: merge them rather than sort their concatenation.
  const all = new Float64Array(u.length + v.length);
  for (let i = 0, a = 0, b = 0; i < all.length; i++) all[i] = b >= v.length || (a < u.length && u[a] <= v[b]) ? u[a++] : v[b++];
  const terms = new Float64Array(all.length - 1);
  // Both CDFs only move forward, so walk them instead of searching at every point.
  let iu = 0;
  let iv = 0;
  for (let i = 0; i < terms.length; i++) {
    const x = all[i];
    while (iu < u.length && u[iu] <= x) iu++;
    while (iv < v.length && v[iv] <= x) iv++;
    terms[i] = Math.abs(iu / u.length - iv / v.length) * (all[i + 1] - x);
  }
  return pairwiseSum(terms);
}

/** W₁ between two samples (missing values dropped), as `scipy.stats.wasserstein_distance`. */
export function wasserstein(reference: NumericValues, current: NumericValues): number {
  return wassersteinSorted(sortedPresentNumbers(reference), sortedPresentNumbers(current));
}

/** The population standard deviation of NaN-free values, in NumPy's order of operations (`np.std`). */
export function populationStd(values: Float64Array): number {
  const n = values.length;
  const mean = pairwiseSum(values) / n;
  const sq = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const d = values[i] - mean;
    sq[i] = d * d;
  }
  return Math.sqrt(pairwiseSum(sq) / n);
}

/** W₁ divided by max(σ_ref, 0.001): the normalised distance the drift decision uses. */
export function wassersteinNormalised(reference: NumericValues, current: NumericValues): { distance: number; std: number; statistic: number } {
  const ref = presentNumbers(reference);
  // The standard deviation sums in the input's order, as np.std does; the distance needs sorted copies.
  const std = ref.length ? populationStd(ref) : NaN;
  const distance = wassersteinSorted(ref.slice().sort(), sortedPresentNumbers(current));
  return { distance, std, statistic: distance / Math.max(std, MIN_NORMALISING_STD) };
}

