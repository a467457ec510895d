import type { Matrix } from "../types.js";
import { orderedColumns, type Standardizer } from "./standardize.js";

/**
 * Scores of a linear model on standardised features, row-major n×k, in float64 plain JS: prediction
 * needs no tfjs backend, so a loaded model scores identically everywhere (serving, edge).
 * `w` is p×k row-major with the intercept as the last row.
 */
export function linearScores(
  x: Matrix,
  featureNames: string[],
  s: Standardizer,
  w: ArrayLike<number>,
  k: number,
): Float64Array {
  const cols = orderedColumns(x, featureNames);
  const d = cols.length;
  const out = new Float64Array(x.n * k);
  for (let i = 0; i < x.n; i++) for (let c = 0; c < k; c++) out[i * k + c] = w[d * k + c];
  for (let j = 0; j < d; j++) {
    const col = cols[j];
    const m = s.mean[j];
    const inv = 1 / s.std[j];
    for (let c = 0; c < k; c++) {
      const wjc = w[j * k + c];
      for (let i = 0; i < x.n; i++) out[i * k + c] += (col[i] - m) * inv * wjc;
    }
  }
  return out;
}

/** Index of the largest of the k scores in each row. */
export function argmaxRows(scores: ArrayLike<number>, n: number, k: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (scores[i * k + c] > scores[i * k + best]) best = c;
    out[i] = best;
  }
  return out;
}

/** Row-wise softmax of n×k scores, as float32 probabilities. */
export function softmaxRows(scores: ArrayLike<number>, n: number, k: number): Float32Array {
  const out = new Float32Array(n * k);
  const e = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    let max = -Infinity;
    for (let c = 0; c < k; c++) max = Math.max(max, scores[i * k + c]);
    let sum = 0;
    for (let c = 0; c < k; c++) sum += e[c] = Math.exp(scores[i * k + c] - max);
    for (let c = 0; c < k; c++) out[i * k + c] = e[c] / sum;
  }
  return out;
}

/**
 * Class probabilities from n×k scores: the softmax when there is a column per class (k > 1),
 * else the sigmoid of the single score as [1 − p, p] per row.
 */
export function scoreProbabilities(scores: ArrayLike<number>, n: number, k: number): Float32Array {
  if (k > 1) return softmaxRows(scores, n, k);
  const out = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    const p = 1 / (1 + Math.exp(-scores[i]));
    out[2 * i] = 1 - p;
    out[2 * i + 1] = p;
  }
  return out;
}
