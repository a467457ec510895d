import { binaryCounts, trapezoid } from "./binary-curve.js";
import { toClassIndices } from "./class-labels.js";

export interface RocCurve {
  /** False positive rate per threshold, from 0 to 1 (NaN everywhere when there are no negatives). */
  fpr: Float64Array;
  /** True positive rate per threshold, from 0 to 1 (NaN everywhere when there are no positives). */
  tpr: Float64Array;
  /** Score thresholds, descending; the first is max score + 1 so the curve starts at (0, 0), as in scikit-learn 1.2. */
  thresholds: Float64Array;
}

export interface ClassRocCurve extends RocCurve {
  /** Class index treated as positive. */
  label: number;
  /** Area under this curve. */
  auc: number;
}

/** ROC curve points exactly as scikit-learn's `roc_curve(drop_intermediate=True)`. */
export function rocCurve(isPositive: ArrayLike<boolean | number>, score: ArrayLike<number>): RocCurve {
  let { fps, tps, thresholds } = binaryCounts(isPositive, score);
  if (fps.length > 2) {
    // Keep only corners: points where the second difference of fps or tps is non-zero.
    const keep: number[] = [0];
    for (let i = 1; i < fps.length - 1; i++) {
      if (fps[i + 1] - 2 * fps[i] + fps[i - 1] !== 0 || tps[i + 1] - 2 * tps[i] + tps[i - 1] !== 0) keep.push(i);
    }
    keep.push(fps.length - 1);
    fps = Float64Array.from(keep, (i) => fps[i]);
    tps = Float64Array.from(keep, (i) => tps[i]);
    thresholds = Float64Array.from(keep, (i) => thresholds[i]);
  }
  const m = fps.length + 1;
  const fpr = new Float64Array(m);
  const tpr = new Float64Array(m);
  const th = new Float64Array(m);
  const fMax = fps[fps.length - 1];
  const tMax = tps[tps.length - 1];
  th[0] = thresholds[0] + 1;
  for (let i = 1; i < m; i++) {
    fpr[i] = fMax > 0 ? fps[i - 1] / fMax : NaN;
    tpr[i] = tMax > 0 ? tps[i - 1] / tMax : NaN;
    th[i] = thresholds[i - 1];
  }
  if (!(fMax > 0)) fpr[0] = NaN;
  if (!(tMax > 0)) tpr[0] = NaN;
  return { fpr, tpr, thresholds: th };
}

/**
 * One ROC curve per class from row-major n×k probabilities: for two classes only
 * class 1 (the binary curve), otherwise one-vs-rest for each class present in yTrue.
 */
export function rocCurves(yTrue: ArrayLike<number>, proba: ArrayLike<number>, k: number): ClassRocCurve[] {
  const t = toClassIndices(yTrue, k, "yTrue");
  if (proba.length !== t.length * k) throw new RangeError(`proba has ${proba.length} values, expected ${t.length}×${k}`);
  const labels = k === 2 ? [1] : Array.from({ length: k }, (_, c) => c);
  const curves: ClassRocCurve[] = [];
  for (const label of labels) {
    const isPositive = Uint8Array.from(t, (v) => (v === label ? 1 : 0));
    const score = Float64Array.from({ length: t.length }, (_, i) => proba[i * k + label]);
    const curve = rocCurve(isPositive, score);
    if (Number.isNaN(curve.tpr[1]) || Number.isNaN(curve.fpr[1])) continue;
    curves.push({ label, ...curve, auc: trapezoid(curve.fpr, curve.tpr) });
  }
  return curves;
}
