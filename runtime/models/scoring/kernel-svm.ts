import type { Matrix, Scorer, SerializedModel } from "../types.js";
import { couplePairwise, sigmoidProbability, type Sigmoid } from "./platt-probability.js";
import { rbf } from "./rbf.js";
import { standardizedRows, type Standardizer } from "./standardize.js";

/** What an exact kernel SVM's state (`method: "smo"`) holds for scoring. */
export interface KernelSvmWeights {
  standardizer: Standardizer;
  gamma: number;
  /** Support vectors, row-major nSV×d, standardised. */
  sv: ArrayLike<number>;
  /** Support vectors per class (classification; [nSV] for regression). */
  nSV: number[];
  /** (K−1)×nSV row-major for classification, 1×nSV for regression. */
  coef: ArrayLike<number>;
  /** One offset per pair of classes (one for regression). */
  rho: number[];
  /** Platt sigmoid per pair (classification). */
  probA: number[];
  probB: number[];
  /** Regression targets are fitted standardised. */
  target?: { mean: number; std: number };
}

/**
 * Scores an exact RBF-kernel SVM as libsvm predicts: kernel values against the support vectors,
 * one decision value per pair of classes, the class by pairwise votes (ties to the lower class
 * index) and probabilities by each pair's Platt sigmoid coupled across pairs; for regression the
 * single decision value in the target's units.
 */
export function kernelSvmScorer(model: SerializedModel): Scorer {
  const state = model.state as KernelSvmWeights;
  const { featureNames, classes } = model;
  const d = featureNames.length;
  const sv = Float32Array.from(state.sv);
  const coef = Float64Array.from(state.coef);
  const { gamma, rho, nSV, standardizer } = state;
  const total = nSV.reduce((a, b) => a + b, 0);
  if (sv.length !== total * d || coef.length < total) throw new Error("svm: serialized support vectors are malformed");
  const start = [0];
  for (let c = 1; c < nSV.length; c++) start.push(start[c - 1] + nSV[c - 1]);
  const K = classes.length;
  const pairs = rho.length;

  /** Pairwise decision values, n×pairs row-major (n×1 for regression). */
  const decisions = (x: Matrix): Float64Array => {
    const rows = standardizedRows(x, featureNames, standardizer);
    const out = new Float64Array(x.n * pairs);
    const kv = new Float64Array(total);
    for (let r = 0; r < x.n; r++) {
      for (let s = 0; s < total; s++) kv[s] = rbf(rows, r, sv, s, d, gamma);
      if (model.task === "regression") {
        let sum = 0;
        for (let s = 0; s < total; s++) sum += coef[s] * kv[s];
        out[r] = sum - rho[0];
        continue;
      }
      let p = 0;
      for (let i = 0; i < K; i++) {
        for (let j = i + 1; j < K; j++) {
          let sum = 0;
          const c1 = (j - 1) * total;
          const c2 = i * total;
          for (let s = start[i]; s < start[i] + nSV[i]; s++) sum += coef[c1 + s] * kv[s];
          for (let s = start[j]; s < start[j] + nSV[j]; s++) sum += coef[c2 + s] * kv[s];
          out[r * pairs + p] = sum - rho[p];
          p++;
        }
      }
    }
    return out;
  };
  if (model.task === "regression") {
    const { mean, std } = state.target!;
    return { predict: (x) => Float32Array.from(decisions(x), (v) => v * std + mean) };
  }
  const sigmoids: Sigmoid[] = state.probA.map((a, p) => ({ a, b: state.probB[p] }));
  return {
    predict(x) {
      const dec = decisions(x);
      const out = new Float32Array(x.n);
      const vote = new Int32Array(K);
      for (let r = 0; r < x.n; r++) {
        vote.fill(0);
        let p = 0;
        for (let i = 0; i < K; i++) for (let j = i + 1; j < K; j++) vote[dec[r * pairs + p++] > 0 ? i : j]++;
        let best = 0;
        for (let c = 1; c < K; c++) if (vote[c] > vote[best]) best = c;
        out[r] = best;
      }
      return out;
    },
    predictProba(x) {
      const dec = decisions(x);
      const out = new Float32Array(x.n * K);
      const minProb = 1e-7;
      const pairwise = new Float64Array(K * K);
      const p = new Float64Array(K);
      const q = new Float64Array(K * K);
      const qp = new Float64Array(K);
      for (let r = 0; r < x.n; r++) {
        let t = 0;
        for (let i = 0; i < K; i++) {
          for (let j = i + 1; j < K; j++) {
            const v = Math.min(Math.max(sigmoidProbability(dec[r * pairs + t], sigmoids[t]), minProb), 1 - minProb);
            pairwise[i * K + j] = v;
            pairwise[j * K + i] = 1 - v;
            t++;
          }
        }
        if (K === 2) {
          p[0] = pairwise[1];
          p[1] = pairwise[2];
        } else {
          couplePairwise(K, pairwise, p, q, qp);
        }
        for (let c = 0; c < K; c++) out[r * K + c] = p[c];
      }
      return out;
    },
  };
}
