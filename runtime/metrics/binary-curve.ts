/**
 * The shared core of ROC and precision-recall curves (scikit-learn's
 * `_binary_clf_curve`): sort by score descending and count true and false
 * positives at each distinct score, which is a threshold.
 */

export interface BinaryCounts {
  /** False positives at each threshold, non-decreasing. */
  fps: Float64Array;
  /** True positives at each threshold, non-decreasing. */
  tps: Float64Array;
  /** Distinct scores, descending; a row is predicted positive when score >= threshold. */
  thresholds: Float64Array;
}

/** Cumulative true/false positive counts at each distinct score, highest score first. */
export function binaryCounts(isPositive: ArrayLike<boolean | number>, score: ArrayLike<number>): BinaryCounts {
  const n = score.length;
  if (isPositive.length !== n) throw new RangeError(`labels and scores differ in length (${isPositive.length} vs ${n})`);
  if (n === 0) throw new RangeError("a curve needs at least one row");
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(score[i])) throw new RangeError(`score[${i}] is NaN`);
    order[i] = i;
  }
  // Within a block of tied scores only the block's end is kept, so tie order is irrelevant.
  order.sort((a, b) => score[b] - score[a]);
  const fps: number[] = [];
  const tps: number[] = [];
  const thresholds: number[] = [];
  let tp = 0;
  for (let r = 0; r < n; r++) {
    const i = order[r];
    if (isPositive[i]) tp++;
    if (r === n - 1 || score[order[r + 1]] !== score[i]) {
      tps.push(tp);
      fps.push(r + 1 - tp);
      thresholds.push(score[i]);
    }
  }
  return { fps: Float64Array.from(fps), tps: Float64Array.from(tps), thresholds: Float64Array.from(thresholds) };
}

/** Area under a piecewise-linear curve by the trapezoidal rule (`numpy.trapz`), x assumed monotonic. */
export function trapezoid(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let area = 0;
  for (let i = 1; i < x.length; i++) area += ((x[i] - x[i - 1]) * (y[i] + y[i - 1])) / 2;
  // sklearn's `auc` accepts a decreasing x and reports the area as positive.
  return x.length > 1 && x[x.length - 1] < x[0] ? -area : area;
}
