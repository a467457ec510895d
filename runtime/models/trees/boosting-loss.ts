/**
 * The losses gradient boosting minimises, as scikit-learn's HistGradientBoosting defines them:
 * half squared error for regression, log loss (the sigmoid of one raw score) for two classes,
 * cross-entropy of the softmax (one raw score per class) for more. Raw scores, gradients and
 * hessians are class-major: output k of row i is at `k * n + i`, so each class's tree reads one
 * contiguous run.
 */
import type { Task } from "../types.js";
import { boostingOutputs } from "../scoring/gradient-boosting.js";
import type { NativeBoostingModule } from "../native-engine.js";
import { boostingKernels } from "./gradient-histograms.js";

export interface BoostingLoss {
  /** Raw scores per row. */
  outputs: number;
  /** Every hessian is 1 (squared error): trees count rows instead of summing hessians. */
  constantHessian: boolean;
  /** The best constant raw score(s) for targets `y`, where boosting starts. */
  baseline(y: Float32Array): Float64Array;
  /** The same from the targets' sums (`TargetSums`), for targets streamed a block at a time. */
  baselineOf(sums: TargetSums): Float64Array;
  /**
   * Gradients and hessians (left alone when constant) at `raw`; returns the mean loss at `raw`. The
   * native pass may split rows over up to `threads` threads (the same results for any number).
   */
  gradients(y: Float32Array, raw: Float64Array, g: Float32Array, h: Float32Array, threads?: number): number;
  /** The mean loss of `raw` against `y` (`threads` as for `gradients`). */
  loss(y: Float32Array, raw: Float64Array, threads?: number): number;
}

/** The loss for a task with `classes` classes. */
export function boostingLoss(task: Task, classes: number): BoostingLoss {
  if (task === "regression") return squaredError;
  return boostingOutputs(task, classes) === 1 ? binomial : multinomial(classes);
}

/**
 * What a baseline needs of the targets: their count, their sum (added in row order) and, for
 * classes, the rows of each. `add` takes them a block at a time, so streamed targets give the
 * same sums as the whole array.
 */
export class TargetSums {
  n = 0;
  sum = 0;
  readonly counts: Float64Array;

  constructor(classes: number) {
    this.counts = new Float64Array(classes);
  }

  /** Adds targets `y` (the next rows in order). */
  add(y: Float32Array): this {
    for (let i = 0; i < y.length; i++) this.sum += y[i];
    if (this.counts.length > 0) for (let i = 0; i < y.length; i++) this.counts[y[i]]++;
    this.n += y.length;
    return this;
  }
}

/** Clips a class share away from 0 and 1 so its logarithm stays finite (scikit-learn's clip). */
function clipShare(p: number): number {
  return Math.min(1 - Number.EPSILON, Math.max(Number.EPSILON, p));
}

const squaredError: BoostingLoss = {
  outputs: 1,
  constantHessian: true,
  baseline(y) {
    return this.baselineOf(new TargetSums(0).add(y));
  },
  baselineOf({ sum, n }) {
    return Float64Array.of(sum / n);
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

/**
 * A sum of logarithms of numbers ≥ 1 taken as the logarithm of their running product, one `Math.log`
 * per few hundred terms instead of one per row (the log is most of a loss pass's cost). The
 * product is logged and restarted before it could overflow; the result differs from summing each
 * log by rounding only (about 1e-14 relative).
 */
class LogSum {
  private product = 1;
  private sum = 0;

  add(v: number): void {
    this.product *= v;
    if (this.product > 1e250) {
      this.sum += Math.log(this.product);
      this.product = 1;
    }
  }

  total(): number {
    return this.sum + Math.log(this.product);
  }
}

/**
 * A classification loss's pass in the native module when it is built (else undefined): the two-class
 * loss (`k` 1) or the softmax of `k` classes, the per-row loop there (its exp is V8's Math.exp to the
 * bit), the logarithms of the products it hands back here, in the order LogSum takes them — so the
 * same gradients and loss as `binomialPassJs` / `multinomialPassJs`.
 */
export function nativeLossPass(y: Float32Array, raw: Float64Array, k: number, g: Float32Array | undefined, h: Float32Array | undefined, threads = 1, kernels: NativeBoostingModule | null = boostingKernels()): number | undefined {
  if (!kernels) return undefined;
  // Each row multiplies the product by at most max(k, 2), and 1e250 > 2^830: room for every product handed back.
  const out = new Float64Array(4 + Math.ceil((y.length * Math.log2(Math.max(k, 2))) / 800));
  if (k === 1) kernels.binomial(y, raw, g ?? empty, h ?? empty, g !== undefined, out, threads);
  else kernels.multinomial(y, raw, k, g ?? empty, h ?? empty, g !== undefined, out, threads);
  let sum = 0;
  for (let f = 0; f < out[2]; f++) sum += Math.log(out[3 + f]);
  return (out[0] + (sum + Math.log(out[1]))) / y.length;
}

const empty = new Float32Array(0);

/**
 * The two-class loss's pass in JavaScript (the fallback, and the reference of the native one): per
 * row the gradient and hessian into g and h when given, and the mean log loss
 * log(1 + e^r) − y·r, as max(r, 0) + log(1 + e^−|r|) − y·r (no overflow for large |r|).
 */
export function binomialPassJs(y: Float32Array, raw: Float64Array, g?: Float32Array, h?: Float32Array): number {
  let linear = 0;
  const logs = new LogSum();
  for (let i = 0; i < y.length; i++) {
    const r = raw[i];
    const e = Math.exp(-Math.abs(r));
    const t = y[i];
    if (g && h) {
      const p = r >= 0 ? 1 / (1 + e) : e / (1 + e);
      g[i] = p - t;
      h[i] = p * (1 - p);
    }
    linear += (r > 0 ? r : 0) - t * r;
    logs.add(1 + e);
  }
  return (linear + logs.total()) / y.length;
}

const binomial: BoostingLoss = {
  outputs: 1,
  constantHessian: false,
  baseline(y) {
    return this.baselineOf(new TargetSums(0).add(y));
  },
  baselineOf({ sum, n }) {
    const p = clipShare(sum / n);
    return Float64Array.of(Math.log(p / (1 - p)));
  },
  gradients(y, raw, g, h, threads) {
    return nativeLossPass(y, raw, 1, g, h, threads) ?? binomialPassJs(y, raw, g, h);
  },
  loss(y, raw, threads) {
    return nativeLossPass(y, raw, 1, undefined, undefined, threads) ?? binomialPassJs(y, raw);
  },
};

/**
 * The softmax cross-entropy's pass over `k` classes in JavaScript (the fallback, and the reference of
 * the native one): per row the shares into g and h when given, and the mean loss
 * log(normaliser) + max − the row's class's raw score.
 */
export function multinomialPassJs(y: Float32Array, raw: Float64Array, k: number, g?: Float32Array, h?: Float32Array): number {
  const e = new Float64Array(k);
  const n = y.length;
  let sum = 0;
  const logs = new LogSum();
  for (let i = 0; i < n; i++) {
    const t = y[i];
    // The softmax of row i into e (max subtracted), its normaliser (≥ 1) into logs.
    let max = -Infinity;
    for (let c = 0; c < k; c++) if (raw[c * n + i] > max) max = raw[c * n + i];
    let total = 0;
    for (let c = 0; c < k; c++) total += e[c] = Math.exp(raw[c * n + i] - max);
    for (let c = 0; c < k; c++) e[c] /= total;
    logs.add(total);
    sum += max - raw[t * n + i];
    if (g && h) {
      for (let c = 0; c < k; c++) {
        const p = e[c];
        g[c * n + i] = c === t ? p - 1 : p;
        h[c * n + i] = p * (1 - p);
      }
    }
  }
  return (sum + logs.total()) / n;
}

function multinomial(k: number): BoostingLoss {
  return {
    outputs: k,
    constantHessian: false,
    baseline(y) {
      return this.baselineOf(new TargetSums(k).add(y));
    },
    baselineOf({ counts, n }) {
      // Symmetric logits (their mean is 0); the softmax does not change.
      const logs = Array.from(counts, (c) => Math.log(clipShare(c / n)));
      const mean = logs.reduce((s, v) => s + v, 0) / k;
      return Float64Array.from(logs, (v) => v - mean);
    },
    gradients(y, raw, g, h, threads) {
      return nativeLossPass(y, raw, k, g, h, threads) ?? multinomialPassJs(y, raw, k, g, h);
    },
    loss(y, raw, threads) {
      return nativeLossPass(y, raw, k, undefined, undefined, threads) ?? multinomialPassJs(y, raw, k);
    },
  };
}
