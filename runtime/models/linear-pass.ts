/**
 * The data term of a penalised linear model in float64 over float32 feature columns: one pass
 * over the rows gives the summed loss and its gradient with respect to W (p×k row-major, p = d+1,
 * intercept last). Features are standardised on the fly ((x − mean)/std), so the columns read from
 * DuckDB are used as they are: no standardised copy, no row-major copy, no n×k score or target
 * arrays. Rows go in fixed blocks of BLOCK_ROWS, each block summed on its own and the blocks
 * added in order, so the result is the same bit for bit whichever thread computed which block.
 * The pass runs in the native module when it is built (native/linear-pass.cc, the same doubles);
 * passBlocksJs is its JavaScript twin. Imports only what a worker thread needs: the module loader
 * and the portable exp/log.
 */
import { nativeLinearPass } from "./native-engine.js";
import { expNonPositive, log1pUnit, logAtLeastOne } from "./portable-math.js";

/** The per-row loss: its kind and what it reads from the targets. */
export type PassLoss = "logistic" | "softmax" | "squared-hinge" | "squared-epsilon-insensitive";

/** Everything a pass reads; plain data (typed arrays may sit on SharedArrayBuffers) so a worker thread can be given it. */
export interface PassData {
  /** d feature columns, n rows each. */
  columns: Float32Array[];
  n: number;
  /** Score columns: 1 for binary logistic, a hinge or a regression; one per class otherwise. */
  k: number;
  mean: Float64Array;
  /** 1 / std per feature. */
  scale: Float64Array;
  loss: PassLoss;
  /**
   * Per row: the class index (classification; with one score column, class 1 is the positive
   * one), or the target value (regression).
   */
  y: Float32Array;
  /** Regression: the target is fitted standardised, (y − targetMean) · targetScale. */
  targetMean: number;
  targetScale: number;
  epsilon: number;
}

/** Rows per block: the block's scores (k × BLOCK_ROWS float64) stay in the core's cache. */
export const BLOCK_ROWS = 4096;

/** Rows whose softmax normalisers are multiplied before one log: k^32 stays finite for any k below 10^9. */
const LOG_CHUNK = 32;

/** Number of blocks of `n` rows. */
export function blockCount(n: number): number {
  return Math.ceil(n / BLOCK_ROWS);
}

/** Floats one block writes to `out`: the loss, then the p×k gradient. */
export function blockStride(d: number, k: number): number {
  return 1 + (d + 1) * k;
}

/** The native module's code of each loss (native/linear-pass.cc). */
const LOSS_CODES: Record<PassLoss, number> = { logistic: 0, softmax: 1, "squared-hinge": 2, "squared-epsilon-insensitive": 3 };

/**
 * Sums blocks [from, to) at weights `w`: block b writes its summed loss at
 * out[b·stride] and its summed gradient (p×k) after it. `scores` is scratch of k·BLOCK_ROWS.
 * In the native module when it is built, else in JavaScript: the same doubles either way.
 */
export function passBlocks(data: PassData, w: Float64Array, from: number, to: number, out: Float64Array, scores: Float64Array): void {
  const native = nativeLinearPass();
  if (!native) return passBlocksJs(data, w, from, to, out, scores);
  const targets = Float64Array.of(data.targetMean, data.targetScale, data.epsilon);
  native.linearPass(data.columns, data.y, data.n, data.k, LOSS_CODES[data.loss], data.mean, data.scale, targets, w, from, to, out, scores);
}

/** passBlocks in JavaScript: the fallback without the native module, and the reference of native/linear-pass.cc. */
export function passBlocksJs(data: PassData, w: Float64Array, from: number, to: number, out: Float64Array, scores: Float64Array): void {
  const { columns, n, k, mean, scale } = data;
  const d = columns.length;
  const stride = blockStride(d, k);
  for (let b = from; b < to; b++) {
    const start = b * BLOCK_ROWS;
    const rows = Math.min(BLOCK_ROWS, n - start);
    // Scores: intercept, then each standardised feature times its weights, a feature at a time
    // and up to three classes per read of the column.
    for (let c = 0; c < k; c++) scores.fill(w[d * k + c], c * BLOCK_ROWS, c * BLOCK_ROWS + rows);
    // One score column: four features per pass over the scores (a quarter of the score traffic).
    const grouped = k === 1 ? d - (d % 4) : 0;
    for (let j = 0; j < grouped; j += 4) forwardFour(columns, mean, scale, w, j, start, rows, scores);
    for (let j = grouped; j < d; j++) {
      const col = columns[j];
      const m = mean[j];
      const sj = scale[j];
      for (let c = 0; c < k; c += 3) {
        const width = Math.min(3, k - c);
        const o = c * BLOCK_ROWS;
        const a0 = sj * w[j * k + c];
        if (width === 1) {
          for (let r = 0; r < rows; r++) scores[o + r] += (col[start + r] - m) * a0;
        } else if (width === 2) {
          const a1 = sj * w[j * k + c + 1];
          for (let r = 0; r < rows; r++) {
            const v = col[start + r] - m;
            scores[o + r] += v * a0;
            scores[o + BLOCK_ROWS + r] += v * a1;
          }
        } else {
          const a1 = sj * w[j * k + c + 1];
          const a2 = sj * w[j * k + c + 2];
          for (let r = 0; r < rows; r++) {
            const v = col[start + r] - m;
            scores[o + r] += v * a0;
            scores[o + BLOCK_ROWS + r] += v * a1;
            scores[o + 2 * BLOCK_ROWS + r] += v * a2;
          }
        }
      }
    }
    const at = b * stride;
    // The loss turns scores into their derivatives in place.
    out[at] = lossAndDerivative(data, scores, start, rows);
    // Gradient: Σ standardised x · dz per feature and class, the intercept Σ dz.
    for (let c = 0; c < k; c++) {
      const o = c * BLOCK_ROWS;
      let g = 0;
      for (let r = 0; r < rows; r++) g += scores[o + r];
      out[at + 1 + d * k + c] = g;
    }
    for (let j = 0; j < grouped; j += 4) backwardFour(columns, mean, scale, j, start, rows, scores, out, at + 1 + j);
    for (let j = grouped; j < d; j++) {
      const col = columns[j];
      const m = mean[j];
      const sj = scale[j];
      const g = at + 1 + j * k;
      for (let c = 0; c < k; c += 3) {
        const width = Math.min(3, k - c);
        const o = c * BLOCK_ROWS;
        if (width === 1) {
          let g0 = 0;
          for (let r = 0; r < rows; r++) g0 += (col[start + r] - m) * scores[o + r];
          out[g + c] = g0 * sj;
        } else if (width === 2) {
          let g0 = 0;
          let g1 = 0;
          for (let r = 0; r < rows; r++) {
            const v = col[start + r] - m;
            g0 += v * scores[o + r];
            g1 += v * scores[o + BLOCK_ROWS + r];
          }
          out[g + c] = g0 * sj;
          out[g + c + 1] = g1 * sj;
        } else {
          let g0 = 0;
          let g1 = 0;
          let g2 = 0;
          for (let r = 0; r < rows; r++) {
            const v = col[start + r] - m;
            g0 += v * scores[o + r];
            g1 += v * scores[o + BLOCK_ROWS + r];
            g2 += v * scores[o + 2 * BLOCK_ROWS + r];
          }
          out[g + c] = g0 * sj;
          out[g + c + 1] = g1 * sj;
          out[g + c + 2] = g2 * sj;
        }
      }
    }
  }
}

/** Adds features j..j+3 times their weights to one score column (k = 1) of a block. */
function forwardFour(columns: Float32Array[], mean: Float64Array, scale: Float64Array, w: Float64Array, j: number, start: number, rows: number, scores: Float64Array): void {
  const c0 = columns[j];
  const c1 = columns[j + 1];
  const c2 = columns[j + 2];
  const c3 = columns[j + 3];
  const m0 = mean[j];
  const m1 = mean[j + 1];
  const m2 = mean[j + 2];
  const m3 = mean[j + 3];
  const a0 = scale[j] * w[j];
  const a1 = scale[j + 1] * w[j + 1];
  const a2 = scale[j + 2] * w[j + 2];
  const a3 = scale[j + 3] * w[j + 3];
  for (let r = 0; r < rows; r++) {
    const i = start + r;
    scores[r] += (c0[i] - m0) * a0 + (c1[i] - m1) * a1 + (c2[i] - m2) * a2 + (c3[i] - m3) * a3;
  }
}

/** Writes the block's gradient of features j..j+3 (one score column) at out[at..at+3], from the score derivatives. */
function backwardFour(columns: Float32Array[], mean: Float64Array, scale: Float64Array, j: number, start: number, rows: number, dz: Float64Array, out: Float64Array, at: number): void {
  const c0 = columns[j];
  const c1 = columns[j + 1];
  const c2 = columns[j + 2];
  const c3 = columns[j + 3];
  const m0 = mean[j];
  const m1 = mean[j + 1];
  const m2 = mean[j + 2];
  const m3 = mean[j + 3];
  let g0 = 0;
  let g1 = 0;
  let g2 = 0;
  let g3 = 0;
  for (let r = 0; r < rows; r++) {
    const i = start + r;
    const v = dz[r];
    g0 += (c0[i] - m0) * v;
    g1 += (c1[i] - m1) * v;
    g2 += (c2[i] - m2) * v;
    g3 += (c3[i] - m3) * v;
  }
  out[at] = g0 * scale[j];
  out[at + 1] = g1 * scale[j + 1];
  out[at + 2] = g2 * scale[j + 2];
  out[at + 3] = g3 * scale[j + 3];
}

/** Adds blocks' partial sums in block order: the summed loss and gradient (p×k) over all rows. */
export function addBlocks(out: Float64Array, blocks: number, d: number, k: number): { loss: number; grad: Float64Array } {
  const stride = blockStride(d, k);
  const grad = new Float64Array(stride - 1);
  let loss = 0;
  for (let b = 0; b < blocks; b++) {
    const at = b * stride;
    loss += out[at];
    for (let q = 0; q < grad.length; q++) grad[q] += out[at + 1 + q];
  }
  return { loss, grad };
}

/** Summed loss of rows [start, start+rows) whose scores are in `s` (class c at c·BLOCK_ROWS); overwrites the scores with d loss / d score. */
function lossAndDerivative(data: PassData, s: Float64Array, start: number, rows: number): number {
  const { y, k } = data;
  let loss = 0;
  if (data.loss === "logistic") {
    for (let r = 0; r < rows; r++) {
      const z = s[r];
      const t = y[start + r];
      // softplus(z) − t·z and sigmoid(z) − t from one exp, without overflow for large |z|.
      const e = expNonPositive(-Math.abs(z));
      loss += Math.max(z, 0) + log1pUnit(e) - t * z;
      s[r] = (z >= 0 ? 1 / (1 + e) : e / (1 + e)) - t;
    }
  } else if (data.loss === "softmax") {
    // Σ log(Σ exp) as the log of products of up to LOG_CHUNK sums (each in [1, k]): one log per
    // chunk instead of one per row, which cost as much as the row's k exps.
    let product = 1;
    for (let r = 0; r < rows; r++) {
      let max = -Infinity;
      for (let c = 0; c < k; c++) max = Math.max(max, s[c * BLOCK_ROWS + r]);
      const label = y[start + r] | 0;
      const zLabel = s[label * BLOCK_ROWS + r];
      let sum = 0;
      for (let c = 0; c < k; c++) {
        const e = expNonPositive(s[c * BLOCK_ROWS + r] - max);
        s[c * BLOCK_ROWS + r] = e;
        sum += e;
      }
      loss += max - zLabel;
      product *= sum;
      if ((r + 1) % LOG_CHUNK === 0) {
        loss += logAtLeastOne(product);
        product = 1;
      }
      const inv = 1 / sum;
      for (let c = 0; c < k; c++) s[c * BLOCK_ROWS + r] = s[c * BLOCK_ROWS + r] * inv - (c === label ? 1 : 0);
    }
    loss += logAtLeastOne(product);
  } else if (data.loss === "squared-hinge") {
    for (let c = 0; c < k; c++) {
      for (let r = 0; r < rows; r++) {
        // One-vs-rest: +1 for the row's class, −1 otherwise; a single column is class 1 against class 0.
        const t = y[start + r] === (k === 1 ? 1 : c) ? 1 : -1;
        const slack = Math.max(0, 1 - t * s[c * BLOCK_ROWS + r]);
        loss += slack * slack;
        s[c * BLOCK_ROWS + r] = -2 * t * slack;
      }
    }
  } else {
    const { targetMean, targetScale, epsilon } = data;
    for (let r = 0; r < rows; r++) {
      const residual = s[r] - (y[start + r] - targetMean) * targetScale;
      const excess = Math.max(0, Math.abs(residual) - epsilon);
      loss += excess * excess;
      s[r] = 2 * Math.sign(residual) * excess;
    }
  }
  return loss;
}

/** A standardiser's constants as a pass reads them: the means and the reciprocals of the stds. */
export function passScaling(s: { mean: number[]; std: number[] }): Pick<PassData, "mean" | "scale"> {
  return { mean: Float64Array.from(s.mean), scale: Float64Array.from(s.std, (v) => 1 / v) };
}
