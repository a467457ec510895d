import { binaryCounts } from "./binary-curve.js";

export interface PrCurve {
  /** Precision per threshold, ending with 1 (scikit-learn's convention). */
  precision: Float64Array;
  /** Recall per threshold, decreasing, ending with 0. */
  recall: Float64Array;
  /** Score thresholds, ascending; one fewer than points. */
  thresholds: Float64Array;
}

/** Precision-recall curve points exactly as scikit-learn 1.2's `precision_recall_curve`. */
export function precisionRecallCurve(isPositive: ArrayLike<boolean | number>, score: ArrayLike<number>): PrCurve {
  const { fps, tps, thresholds } = binaryCounts(isPositive, score);
  const m = tps.length;
  const tMax = tps[m - 1];
  const precision = new Float64Array(m + 1);
  const recall = new Float64Array(m + 1);
  const th = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    const src = m - 1 - i; // reversed so recall decreases
    const predicted = tps[src] + fps[src];
    precision[i] = predicted === 0 ? 0 : tps[src] / predicted;
    // sklearn: with no positives at all recall is 1 at every threshold.
    recall[i] = tMax === 0 ? 1 : tps[src] / tMax;
    th[i] = thresholds[src];
  }
  precision[m] = 1;
  recall[m] = 0;
  return { precision, recall, thresholds: th };
}
