/**
 * Pearson's χ² test of homogeneity between the reference's and the current window's category
 * counts, as SciPy's `chi2_contingency([ref, cur])` with its default `correction=True`:
 *
 * - the 2×k table holds every category seen on either side (a category absent on both sides has no
 *   column: SciPy refuses a zero expected count);
 * - expected E_ij = rowᵢ · colⱼ / N; dof = k − 1; with k = 1 the test is degenerate (χ² = 0, p = 1);
 * - with dof = 1 only, Yates' continuity correction moves each observed count towards its expected
 *   one by min(½, |E − O|);
 * - χ² = Σ (O − E)² / E, p = Q(dof/2, χ²/2).
 */
import { chiSquaredSf } from "./special-functions.js";
import { type CategoricalValues, categoryTable, emptyError, pairwiseSum } from "./values.js";

/** A χ² test result: statistic, p-value and degrees of freedom. */
export interface Chi2Result {
  statistic: number;
  pValue: number;
  dof: number;
}

/** χ² of a 2×k table given as the reference's and the current window's counts per category (same order). */
export function chi2Counts(referenceCounts: ArrayLike<number>, currentCounts: ArrayLike<number>): Chi2Result {
  const ref: number[] = [];
  const cur: number[] = [];
  for (let j = 0; j < referenceCounts.length; j++) {
    if (referenceCounts[j] === 0 && currentCounts[j] === 0) continue;
    ref.push(referenceCounts[j]);
    cur.push(currentCounts[j]);
  }
  const refTotal = pairwiseSum(ref);
  const curTotal = pairwiseSum(cur);
  if (refTotal === 0) throw emptyError("reference");
  if (curTotal === 0) throw emptyError("current");
  const k = ref.length;
  const dof = k - 1;
  if (dof === 0) return { statistic: 0, pValue: 1, dof };
  const total = refTotal + curTotal;
  const observed = [...ref, ...cur];
  const expected = [...ref.map((_, j) => (refTotal * (ref[j] + cur[j])) / total), ...cur.map((_, j) => (curTotal * (ref[j] + cur[j])) / total)];
  if (dof === 1) {
    for (let i = 0; i < observed.length; i++) {
      const diff = expected[i] - observed[i];
      observed[i] += Math.min(0.5, Math.abs(diff)) * Math.sign(diff);
    }
  }
  const terms = observed.map((o, i) => (o - expected[i]) ** 2 / expected[i]);
  const statistic = pairwiseSum(terms);
  return { statistic, pValue: chiSquaredSf(statistic, dof), dof };
}

/** χ² between two categorical samples (missing values dropped; categories compared by their string form). */
export function chi2(reference: CategoricalValues, current: CategoricalValues): Chi2Result {
  const t = categoryTable(reference, current);
  return chi2Counts(t.reference, t.current);
}
