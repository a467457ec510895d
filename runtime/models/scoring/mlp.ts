import type { Activation } from "../mlp-engine.js";
import type { Matrix, Scorer, SerializedModel } from "../types.js";
import { argmaxRows } from "./linear-scores.js";
import { orderedColumns, standardizeInto, type Standardizer } from "./standardize.js";

/** One fully connected layer. */
export interface DenseLayer {
  inputs: number;
  outputs: number;
  /** inputs×outputs row-major. */
  weights: ArrayLike<number>;
  bias: ArrayLike<number>;
}

/** What a neural network's state holds for scoring. */
export interface MlpWeights {
  standardizer: Standardizer;
  activation: Activation;
  /** Hidden layers then the output layer (logits, or one standardised value for regression). */
  layers: DenseLayer[];
  target?: { mean: number; std: number };
}

const activateScalar: Record<Activation, (v: number) => number> = {
  relu: (v) => (v > 0 ? v : 0),
  tanh: Math.tanh,
  sigmoid: (v) => 1 / (1 + Math.exp(-v)),
};

/** Rows per block of the forward pass: its activations (≈ 1 MB for 64 + 32 units) stay in cache and in bounds. */
const FORWARD_BLOCK = 1024;

/**
 * Forward pass in float64 plain JS: a loaded model predicts the same on every backend and needs none.
 * Rows go through in blocks, each standardised (rounded to float32, as training saw them) and carried
 * through every layer in buffers reused from block to block: whole-matrix activations in float64
 * were 30k × (20 + 64 + 32) × 8 bytes (28 MB) at once for a 30k-row test part, the evaluate step's
 * peak at 200k (bench/RESULTS.md). Each row's arithmetic is the same as one pass over all rows.
 */
export function mlpForward(state: MlpWeights, x: Matrix, featureNames: string[]): Float64Array {
  const cols = orderedColumns(x, featureNames);
  const d = cols.length;
  const f = activateScalar[state.activation];
  const last = state.layers.length - 1;
  const rows = Math.min(FORWARD_BLOCK, x.n);
  const input = new Float64Array(rows * d);
  const acts = state.layers.map((layer) => new Float64Array(rows * layer.outputs));
  const out = new Float64Array(x.n * state.layers[last].outputs);
  for (let from = 0; from < x.n; from += FORWARD_BLOCK) {
    const m = Math.min(FORWARD_BLOCK, x.n - from);
    standardizeInto(cols, state.standardizer, from, m, input, d);
    let h = input;
    state.layers.forEach((layer, li) => {
      const { inputs: I, outputs: O, weights: W, bias } = layer;
      const a = acts[li];
      for (let i = 0; i < m; i++) {
        const o0 = i * O;
        for (let o = 0; o < O; o++) a[o0 + o] = bias[o];
        for (let j = 0; j < I; j++) {
          const v = h[i * I + j];
          if (v === 0) continue;
          const w0 = j * O;
          for (let o = 0; o < O; o++) a[o0 + o] += v * W[w0 + o];
        }
      }
      if (li < last) for (let i = 0; i < m * O; i++) a[i] = f(a[i]);
      h = a;
    });
    out.set(h.subarray(0, m * state.layers[last].outputs), from * state.layers[last].outputs);
  }
  return out;
}

/** Scores a neural network: the forward pass, then the softmax of the logits or the standardised value mapped back. */
export function mlpScorer(model: SerializedModel): Scorer {
  const state = model.state as MlpWeights;
  const { featureNames, classes } = model;
  if (model.task === "regression") {
    const { mean, std } = state.target!;
    return { predict: (x) => Float32Array.from(mlpForward(state, x, featureNames), (v) => v * std + mean) };
  }
  const k = classes.length;
  const proba = (x: Matrix): Float32Array => {
    const z = mlpForward(state, x, featureNames);
    const out = new Float32Array(x.n * k);
    for (let i = 0; i < x.n; i++) {
      let max = -Infinity;
      for (let c = 0; c < k; c++) max = Math.max(max, z[i * k + c]);
      let sum = 0;
      for (let c = 0; c < k; c++) sum += Math.exp(z[i * k + c] - max);
      for (let c = 0; c < k; c++) out[i * k + c] = Math.exp(z[i * k + c] - max) / sum;
    }
    return out;
  };
  return {
    predict: (x) => argmaxRows(proba(x), x.n, k),
    predictProba: proba,
    // One forward pass for both (predict then predictProba ran it twice).
    predictWithProba: (x) => {
      const probabilities = proba(x);
      return { predictions: argmaxRows(probabilities, x.n, k), probabilities };
    },
  };
}
