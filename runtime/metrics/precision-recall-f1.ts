import { checkSameLength, presentLabels, toClassIndices } from "./class-labels.js";

/**
 * Precision, recall and F1 as scikit-learn's `precision_recall_fscore_support`
 * computes them with `zero_division="warn"`: a 0/0 ratio counts as 0, and F1 is
 * built from the per-class precision and recall (not from the averaged ones).
 */

export type Average = "binary" | "macro" | "weighted" | "micro";

export interface PrecisionRecallF1 {
  precision: number;
  recall: number;
  f1: number;
}

export interface PerClassScores {
  /** Class index each entry refers to. */
  labels: number[];
  precision: Float64Array;
  recall: Float64Array;
  f1: Float64Array;
  /** Number of actual rows of each class. */
  support: Float64Array;
}

/** The binary case needs at least this many classes to have a positive class at index 1. */
const POSITIVE_CLASS = 1;

function divide(num: number, den: number): number {
  return den === 0 ? 0 : num / den;
}

function fScore(p: number, r: number): number {
  const denom = p + r;
  return denom === 0 ? 0 : (2 * p * r) / denom;
}

function counts(t: Int32Array, p: Int32Array, k: number) {
  const tp = new Float64Array(k);
  const predicted = new Float64Array(k);
  const actual = new Float64Array(k);
  for (let i = 0; i < t.length; i++) {
    actual[t[i]]++;
    predicted[p[i]]++;
    if (t[i] === p[i]) tp[t[i]]++;
  }
  return { tp, predicted, actual };
}

function scoresFor(
  labels: number[],
  c: { tp: Float64Array; predicted: Float64Array; actual: Float64Array },
): PerClassScores {
  const n = labels.length;
  const out: PerClassScores = {
    labels,
    precision: new Float64Array(n),
    recall: new Float64Array(n),
    f1: new Float64Array(n),
    support: new Float64Array(n),
  };
  labels.forEach((label, j) => {
    out.precision[j] = divide(c.tp[label], c.predicted[label]);
    out.recall[j] = divide(c.tp[label], c.actual[label]);
    out.f1[j] = fScore(out.precision[j], out.recall[j]);
    out.support[j] = c.actual[label];
  });
  return out;
}

/** Per-class precision, recall, F1 and support for every class index 0..k-1 (`average=None` with all labels). */
export function perClassPrecisionRecallF1(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, k: number): PerClassScores {
  checkSameLength(yTrue, yPred);
  const t = toClassIndices(yTrue, k, "yTrue");
  const p = toClassIndices(yPred, k, "yPred");
  return scoresFor(
    Array.from({ length: k }, (_, c) => c),
    counts(t, p, k),
  );
}

function mean(a: Float64Array): number {
  let s = 0;
  for (const v of a) s += v;
  return s / a.length;
}

function weightedMean(a: Float64Array, w: Float64Array, wSum: number): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * w[i];
  return s / wSum;
}

/**
 * Averaged precision, recall and F1 over k classes; `binary` scores class index 1,
 * the others average over the classes present in yTrue or yPred, as scikit-learn does.
 */
export function precisionRecallF1(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  k: number,
  average: Average,
): PrecisionRecallF1 {
  checkSameLength(yTrue, yPred);
  const t = toClassIndices(yTrue, k, "yTrue");
  const p = toClassIndices(yPred, k, "yPred");
  const c = counts(t, p, k);

  if (average === "binary") {
    if (k !== 2) throw new RangeError(`average "binary" needs exactly 2 classes, got ${k}`);
    const s = scoresFor([POSITIVE_CLASS], c);
    return { precision: s.precision[0], recall: s.recall[0], f1: s.f1[0] };
  }

  const labels = presentLabels(k, t, p);
  if (labels.length === 0) return { precision: 0, recall: 0, f1: 0 };

  if (average === "micro") {
    let tp = 0;
    let predicted = 0;
    let actual = 0;
    for (const l of labels) {
      tp += c.tp[l];
      predicted += c.predicted[l];
      actual += c.actual[l];
    }
    const precision = divide(tp, predicted);
    const recall = divide(tp, actual);
    return { precision, recall, f1: fScore(precision, recall) };
  }

  const s = scoresFor(labels, c);
  if (average === "macro") {
    return { precision: mean(s.precision), recall: mean(s.recall), f1: mean(s.f1) };
  }
  let supportSum = 0;
  for (const v of s.support) supportSum += v;
  // sklearn: with no actual rows at all the weighted scores fall back to zero_division (0).
  if (supportSum === 0) return { precision: 0, recall: 0, f1: 0 };
  return {
    precision: weightedMean(s.precision, s.support, supportSum),
    recall: weightedMean(s.recall, s.support, supportSum),
    f1: weightedMean(s.f1, s.support, supportSum),
  };
}
