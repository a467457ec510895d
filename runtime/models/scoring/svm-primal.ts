import type { Matrix, Scorer, SerializedModel } from "../types.js";
import { argmaxRows, linearScores, scoreProbabilities } from "./linear-scores.js";
import { standardizedRows, type Standardizer } from "./standardize.js";

/** Random Fourier features approximating an RBF kernel: φ(x) = √(2/D)·cos(xΩ + b). */
export interface FourierFeatures {
  /** d×D row-major frequencies Ω, drawn N(0, 2γ). */
  omega: ArrayLike<number>;
  /** D phases, drawn U(0, 2π). */
  phase: ArrayLike<number>;
  components: number;
}

/** What a primal SVM's state (linear kernel, or rbf through random Fourier features) holds for scoring. */
export interface PrimalSvmWeights {
  standardizer: Standardizer;
  fourier?: FourierFeatures;
  /** p×k row-major over the (standardised or Fourier) features, last row the intercept. */
  weights: ArrayLike<number>;
  k: number;
  /** Regression targets are fitted standardised; predictions are mapped back with these. */
  target?: { mean: number; std: number };
}

/** φ(rows) for row-major standardised rows, float64, in plain JS (prediction path). */
export function fourierRows(rows: Float32Array, n: number, d: number, f: FourierFeatures): Float64Array {
  const D = f.components;
  const scale = Math.sqrt(2 / D);
  const out = new Float64Array(n * D);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < D; c++) {
      let s = f.phase[c];
      for (let j = 0; j < d; j++) s += rows[i * d + j] * f.omega[j * D + c];
      out[i * D + c] = scale * Math.cos(s);
    }
  }
  return out;
}

/**
 * Scores an SVM solved in the primal: decision values over the standardised (or Fourier) features;
 * regression maps them back to the target's units, classification takes the sign (two classes) or
 * the largest one-vs-rest value.
 */
export function primalSvmScorer(model: SerializedModel): Scorer {
  const { k, weights, standardizer, fourier, target } = model.state as PrimalSvmWeights;
  const { featureNames } = model;
  const d = featureNames.length;
  const scores = (x: Matrix): Float64Array => {
    if (!fourier) return linearScores(x, featureNames, standardizer, weights, k);
    const phi = fourierRows(standardizedRows(x, featureNames, standardizer), x.n, d, fourier);
    const D = fourier.components;
    const out = new Float64Array(x.n * k);
    for (let i = 0; i < x.n; i++) {
      for (let c = 0; c < k; c++) {
        let s = weights[D * k + c];
        for (let j = 0; j < D; j++) s += phi[i * D + j] * weights[j * k + c];
        out[i * k + c] = s;
      }
    }
    return out;
  };
  if (model.task === "regression") {
    const { mean, std } = target!;
    return { predict: (x) => Float32Array.from(scores(x), (v) => v * std + mean) };
  }
  return {
    predict: (x) => {
      const z = scores(x);
      if (k > 1) return argmaxRows(z, x.n, k);
      return Float32Array.from(z, (v) => (v > 0 ? 1 : 0));
    },
    /** Decision values squashed to sum to 1: a ranking score for ROC curves, not calibrated probabilities. */
    predictProba: (x) => scoreProbabilities(scores(x), x.n, k),
  };
}
