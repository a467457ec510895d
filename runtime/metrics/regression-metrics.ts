import { checkSameLength } from "./class-labels.js";

/** Mean squared error; NaN for no rows. */
export function mse(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  checkSameLength(yTrue, yPred);
  let s = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const d = yTrue[i] - yPred[i];
    s += d * d;
  }
  return yTrue.length === 0 ? NaN : s / yTrue.length;
}

/** Root mean squared error (`mean_squared_error(squared=False)`). */
export function rmse(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  return Math.sqrt(mse(yTrue, yPred));
}

/** Mean absolute error; NaN for no rows. */
export function mae(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  checkSameLength(yTrue, yPred);
  let s = 0;
  for (let i = 0; i < yTrue.length; i++) s += Math.abs(yTrue[i] - yPred[i]);
  return yTrue.length === 0 ? NaN : s / yTrue.length;
}

/**
 * Coefficient of determination with sklearn's `force_finite=True`: a constant
 * target scores 1 when predicted perfectly and 0 otherwise; fewer than 2 rows is NaN.
 */
export function r2(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  checkSameLength(yTrue, yPred);
  const n = yTrue.length;
  if (n < 2) return NaN;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += yTrue[i];
  mean /= n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    const r = yTrue[i] - yPred[i];
    const d = yTrue[i] - mean;
    num += r * r;
    den += d * d;
  }
  if (num === 0) return 1;
  if (den === 0) return 0;
  return 1 - num / den;
}
