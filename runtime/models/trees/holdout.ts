/**
 * The seeded validation holdout gradient boosting stops early on when the model has no validation
 * dataset (scikit-learn's `validation_fraction`): ⌈fraction·n⌉ rows, stratified by class for
 * classification so each class keeps its share.
 */
import { Rng } from "./prng.js";

/** Rows 0..n−1 cut into training and validation rows, both ascending. */
export interface Holdout {
  train: Int32Array;
  validation: Int32Array;
}

/**
 * Draws the validation rows: per class (one group for regression, `classes` 0) a seeded shuffle
 * gives each group its share of the ⌈fraction·n⌉ rows, rounded by largest remainder.
 */
export function holdout(y: Float32Array, classes: number, fraction: number, seed: number): Holdout {
  const n = y.length;
  const total = Math.min(n - 1, Math.max(1, Math.ceil(fraction * n)));
  const groups = Math.max(1, classes);
  const members: number[][] = Array.from({ length: groups }, () => []);
  for (let i = 0; i < n; i++) members[classes > 0 ? y[i] : 0].push(i);
  const quota = members.map((m) => (total * m.length) / n);
  const take = quota.map(Math.floor);
  let left = total - take.reduce((s, t) => s + t, 0);
  const byRemainder = quota.map((q, c) => c).sort((a, b) => quota[b] - take[b] - (quota[a] - take[a]) || a - b);
  for (const c of byRemainder) {
    if (left === 0) break;
    if (take[c] < members[c].length) {
      take[c]++;
      left--;
    }
  }
  const rng = new Rng(seed);
  const held = new Uint8Array(n);
  members.forEach((m, c) => {
    // The first take[c] places of a Fisher–Yates shuffle are a uniform sample.
    for (let t = 0; t < take[c]; t++) {
      const r = t + rng.nextInt(m.length - t);
      [m[t], m[r]] = [m[r], m[t]];
      held[m[t]] = 1;
    }
  });
  const validation = new Int32Array(total);
  const train = new Int32Array(n - total);
  let v = 0;
  let t = 0;
  for (let i = 0; i < n; i++) {
    if (held[i]) validation[v++] = i;
    else train[t++] = i;
  }
  return { train, validation };
}
