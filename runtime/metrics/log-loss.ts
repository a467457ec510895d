import { toClassIndices } from "./class-labels.js";

/**
 * Probabilities are clipped to [eps, 1 - eps] with the float64 machine epsilon,
 * which is what scikit-learn 1.2's `eps="auto"` uses for float64 input; the
 * metric is computed in float64 even though the model hands over Float32Array.
 */
const EPS = Number.EPSILON;

/** Mean cross-entropy of row-major n×k probabilities against class indices, rows renormalised after clipping as sklearn does. */
export function logLoss(yTrue: ArrayLike<number>, proba: ArrayLike<number>, k: number): number {
  if (k < 2) throw new RangeError(`log loss needs at least 2 classes, got ${k}`);
  const t = toClassIndices(yTrue, k, "yTrue");
  const n = t.length;
  if (proba.length !== n * k) throw new RangeError(`proba has ${proba.length} values, expected ${n}×${k}`);
  if (n === 0) return NaN;
  let total = 0;
  for (let i = 0; i < n; i++) {
    let rowSum = 0;
    for (let c = 0; c < k; c++) rowSum += clip(proba[i * k + c]);
    total -= Math.log(clip(proba[i * k + t[i]]) / rowSum);
  }
  return total / n;
}

function clip(p: number): number {
  return p < EPS ? EPS : p > 1 - EPS ? 1 - EPS : p;
}
