import type { Activation } from "../mlp-engine.js";
import type { Matrix, Scorer, SerializedModel } from "../types.js";
import { argmaxRows } from "./linear-scores.js";
import { standardizedRows, type Standardizer } from "./standardize.js";

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

/** Forward pass in float64 plain JS: a loaded model predicts the same on every backend and needs none. */
export function mlpForward(state: MlpWeights, x: Matrix, featureNames: string[]): Float64Array {
  const rows = standardizedRows(x, featureNames, state.standardizer);
  let h: Float64Array = Float64Array.from(rows);
  const f = activateScalar[state.activation];
  state.layers.forEach((layer, li) => {
    const { inputs: I, outputs: O, weights: W, bias } = layer;
    const out = new Float64Array(x.n * O);
    for (let i = 0; i < x.n; i++) {
      const o0 = i * O;
      for (let o = 0; o < O; o++) out[o0 + o] = bias[o];
      for (let j = 0; j < I; j++) {
        const v = h[i * I + j];
        if (v === 0) continue;
        const w0 = j * O;
        for (let o = 0; o < O; o++) out[o0 + o] += v * W[w0 + o];
      }
    }
    if (li < state.layers.length - 1) for (let i = 0; i < out.length; i++) out[i] = f(out[i]);
    h = out;
  });
  return h;
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
  return { predict: (x) => argmaxRows(proba(x), x.n, k), predictProba: proba };
}
