import { trapezoid } from "./binary-curve.js";
import { checkSameLength, toClassIndices } from "./class-labels.js";
import { rocCurve } from "./roc-curve.js";

/** Area under the ROC curve for a binary problem; NaN when yTrue holds only one class (sklearn raises). */
export function binaryRocAuc(isPositive: ArrayLike<boolean | number>, score: ArrayLike<number>): number {
  checkSameLength(isPositive, score, "labels and scores");
  let pos = 0;
  for (let i = 0; i < isPositive.length; i++) if (isPositive[i]) pos++;
  if (pos === 0 || pos === isPositive.length) return NaN;
  const { fpr, tpr } = rocCurve(isPositive, score);
  return trapezoid(fpr, tpr);
}

/**
 * ROC AUC from row-major n×k class probabilities: for k = 2 the binary AUC of
 * class 1's probability, otherwise the unweighted mean of one-vs-rest AUCs
 * (`roc_auc_score(multi_class="ovr", average="macro")`). Where sklearn refuses
 * because a class is absent from yTrue, that class is left out of the mean.
 */
export function rocAuc(yTrue: ArrayLike<number>, proba: ArrayLike<number>, k: number): number {
  const t = toClassIndices(yTrue, k, "yTrue");
  if (proba.length !== t.length * k) throw new RangeError(`proba has ${proba.length} values, expected ${t.length}×${k}`);
  if (k < 2) return NaN;
  const column = (c: number) => Float64Array.from({ length: t.length }, (_, i) => proba[i * k + c]);
  if (k === 2) return binaryRocAuc(Uint8Array.from(t, (v) => (v === 1 ? 1 : 0)), column(1));
  let sum = 0;
  let used = 0;
  for (let c = 0; c < k; c++) {
    const auc = binaryRocAuc(Uint8Array.from(t, (v) => (v === c ? 1 : 0)), column(c));
    if (Number.isNaN(auc)) continue;
    sum += auc;
    used++;
  }
  return used === 0 ? NaN : sum / used;
}
