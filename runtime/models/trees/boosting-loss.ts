/**
 * The losses gradient boosting minimises, as scikit-learn's HistGradientBoosting defines them:
 * half squared error for regression, log loss (the sigmoid of one raw score) for two classes,
 * cross-entropy of the softmax (one raw score per class) for more. Raw scores, gradients and
 * hessians are class-major: output k of row i is at `k * n + i`, so each class's tree reads one
 * contiguous run.
 */
import type { Task } from "../types.js";
import { boostingOutputs } from "../scoring/gradient-boosting.js";

export interface BoostingLoss {
  /** Raw scores per row. */
  outputs: number;
  /** Every hessian is 1 (squared error): trees count rows instead of summing hessians. */
  constantHessian: boolean;
  /** The best constant raw score(s) for targets `y`, where boosting starts. */
  baseline(y: Float32Array): Float64Array;
  /** Gradients and hessians (left alone when constant) at `raw`; returns the mean loss at `raw`. */
  gradients(y: Float32Array, raw: Float64Array, g: Float32Array, h: Float32Array): number;
  /** The mean loss of `raw` against `y`. */
  loss(y: Float32Array, raw: Float64Array): number;
}

/** The loss for a task with `classes` classes. */
export function boostingLoss(task: Task, classes: number): BoostingLoss {
  if (task === "regression") return squaredError;
  return boostingOutputs(task, classes) === 1 ? binomial : multinomial(classes);
}

function mean(y: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < y.length; i++) sum += y[i];
  return sum / y.length;
}

/** Clips a class share away from 0 and 1 so its logarithm stays finite (scikit-learn's clip). */
function clipShare(p: number): number {
  return Math.min(1 - Number.EPSILON, Math.max(Number.EPSILON, p));
}

const squaredError: BoostingLoss = {
  outputs: 1,
  constantHessian: true,
  baseline(y) {
    return Float64Array.of(mean(y));
  },
  gradients(y, raw, g) {
    let sum = 0;
    for (let i = 0; i < y.length; i++) {
      const d = raw[i] - y[i];
      g[i] = d;
      sum += d * d;
    }
    return (0.5 * sum) / y.length;
  },
  loss(y, raw) {
    let sum = 0;
    for (let i = 0; i < y.length; i++) {
      const d = raw[i] - y[i];
      sum += d * d;
    }
    return (0.5 * sum) / y.length;
  },
};

/** log(1 + e^r) − y·r, from e = e^−|r|: no overflow for large |r|. */
function logLoss(r: number, y: number, e: number): number {
  return (r > 0 ? r : 0) + Math.log1p(e) - y * r;
}

const binomial: BoostingLoss = {
  outputs: 1,
  constantHessian: false,
  baseline(y) {
    const p = clipShare(mean(y));
    return Float64Array.of(Math.log(p / (1 - p)));
  },
  gradients(y, raw, g, h) {
    let sum = 0;
    for (let i = 0; i < y.length; i++) {
      const r = raw[i];
      const e = Math.exp(-Math.abs(r));
      const p = r >= 0 ? 1 / (1 + e) : e / (1 + e);
      const t = y[i];
      g[i] = p - t;
      h[i] = p * (1 - p);
      sum += logLoss(r, t, e);
    }
    return sum / y.length;
  },
  loss(y, raw) {
    let sum = 0;
    for (let i = 0; i < y.length; i++) sum += logLoss(raw[i], y[i], Math.exp(-Math.abs(raw[i])));
    return sum / y.length;
  },
};

function multinomial(k: number): BoostingLoss {
  const e = new Float64Array(k);
  /** Softmax of row i into `e` (max subtracted); returns log of the normaliser plus the max. */
  const softmax = (raw: Float64Array, n: number, i: number): number => {
    let max = -Infinity;
    for (let c = 0; c < k; c++) if (raw[c * n + i] > max) max = raw[c * n + i];
    let sum = 0;
    for (let c = 0; c < k; c++) sum += e[c] = Math.exp(raw[c * n + i] - max);
    for (let c = 0; c < k; c++) e[c] /= sum;
    return Math.log(sum) + max;
  };
  return {
    outputs: k,
    constantHessian: false,
    baseline(y) {
      const counts = new Float64Array(k);
      for (let i = 0; i < y.length; i++) counts[y[i]]++;
      // Symmetric logits (their mean is 0); the softmax does not change.
      const logs = Array.from(counts, (c) => Math.log(clipShare(c / y.length)));
      const mean = logs.reduce((s, v) => s + v, 0) / k;
      return Float64Array.from(logs, (v) => v - mean);
    },
    gradients(y, raw, g, h) {
      const n = y.length;
      let sum = 0;
      for (let i = 0; i < n; i++) {
        const t = y[i];
        sum += softmax(raw, n, i) - raw[t * n + i];
        for (let c = 0; c < k; c++) {
          const p = e[c];
          g[c * n + i] = c === t ? p - 1 : p;
          h[c * n + i] = p * (1 - p);
        }
      }
      return sum / n;
    },
    loss(y, raw) {
      const n = y.length;
      let sum = 0;
      for (let i = 0; i < n; i++) sum += softmax(raw, n, i) - raw[y[i] * n + i];
      return sum / n;
    },
  };
}
