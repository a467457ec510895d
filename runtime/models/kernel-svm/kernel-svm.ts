/**
 * The exact RBF-kernel SVM, trained as libsvm trains it (`svm_train`), on standardised features:
 *
 *   classification: one C-SVC per pair of classes (one-vs-one), each solved by SMO
 *   (smo-solver.ts); prediction by pairwise votes (ties to the lower class index); probabilities
 *   by a Platt sigmoid per pair, fitted on 5-fold cross-validated decision values, coupled
 *   across pairs (platt.ts) — libsvm's `-b 1`, scikit-learn's `probability=True`.
 *   regression: epsilon-SVR on the standardised target (so `epsilon` is in target standard
 *   deviations), one SMO solve over 2l variables.
 *
 * The model keeps its support vectors (standardised, float32) with libsvm's coefficient layout:
 * coef[(K−1)×nSV], support vectors grouped by class.
 */
import { OptionError } from "../../errors.js";
import { SeededRandom } from "../seeded-random.js";
import { standardizedRows, targetScale, type Standardizer } from "../standardizer.js";
import type { Matrix, ParamValue, SerializedModel, TrainedModel, TrainInput } from "../types.js";
import { couplePairwise, fitSigmoid, sigmoidProbability, type Sigmoid } from "./platt.js";
import { KernelRows, rbf, SvcQ, SvrQ, type RbfData } from "./rbf-kernel.js";
import { solveSmo } from "./smo-solver.js";

/** Kernel rows kept per model: scikit-learn's default cache_size, 200 MB. */
const CACHE_BYTES = 200 * 1024 * 1024;
/** Folds of the cross-validation that gives Platt's sigmoid unbiased decision values (libsvm's 5). */
const PLATT_FOLDS = 5;

/** What the serialized state of an exact kernel SVM holds. */
export interface KernelSvmState {
  method: "smo";
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
  /** SMO steps per binary problem. */
  iterations: number[];
}

export interface KernelSvmOptions {
  c: number;
  gamma: number;
  epsilon: number;
  tol: number;
  maxIter: number;
}

/** sklearn's gamma "scale" (1 / (d·Var X)) and "auto" (1 / d), Var over every cell of the standardised rows. */
export function resolveGamma(value: ParamValue, rows: Float32Array, d: number): number {
  if (value === "auto") return 1 / d;
  if (value === "scale") {
    let s = 0;
    for (let i = 0; i < rows.length; i++) s += rows[i];
    const mean = s / rows.length;
    let v = 0;
    for (let i = 0; i < rows.length; i++) v += (rows[i] - mean) * (rows[i] - mean);
    const variance = v / rows.length;
    return variance > 0 ? 1 / (d * variance) : 1;
  }
  if (typeof value === "number" && value > 0) return value;
  throw new OptionError(`option gamma must be "scale", "auto" or a positive number, got ${JSON.stringify(value)}`);
}

/** Rows `index` of a row-major matrix, copied. */
function gather(rows: Float32Array, d: number, index: ArrayLike<number>): Float32Array {
  const out = new Float32Array(index.length * d);
  for (let r = 0; r < index.length; r++) out.set(rows.subarray(index[r] * d, index[r] * d + d), r * d);
  return out;
}

/** A solved binary C-SVC over training rows `index`: signed coefficients y_i·α_i per row, and the offset. */
interface BinarySvc {
  index: Int32Array;
  coef: Float64Array;
  rho: number;
  iterations: number;
}

async function solveSvc(kernel: KernelRows, index: Int32Array, y: Int8Array, o: KernelSvmOptions, signal?: AbortSignal): Promise<BinarySvc> {
  const l = y.length;
  const solution = await solveSmo({
    Q: new SvcQ(kernel, index, y),
    p: new Float64Array(l).fill(-1),
    y,
    cp: o.c,
    cn: o.c,
    eps: o.tol,
    maxIter: o.maxIter * Math.max(l, 20_000),
    shrinking: true,
    signal,
  });
  const coef = new Float64Array(l);
  for (let i = 0; i < l; i++) coef[i] = solution.alpha[i] * y[i];
  return { index, coef, rho: solution.rho, iterations: solution.iterations };
}

/**
 * Decision value Σ coef_s K(x_row, x_s) − ρ of a binary model, for a training row it did not see:
 * kernel values against its support vectors only, in float64 (not through the row cache, whose
 * rows span all n training rows).
 */
function decision(svc: BinarySvc, data: RbfData, row: number): number {
  const { rows, d, gamma } = data;
  let s = 0;
  for (let t = 0; t < svc.coef.length; t++) if (svc.coef[t] !== 0) s += svc.coef[t] * rbf(rows, row, rows, svc.index[t], d, gamma);
  return s - svc.rho;
}

/** libsvm's `svm_binary_svc_probability`: a sigmoid fitted to 5-fold cross-validated decision values. */
async function plattSigmoid(kernel: KernelRows, index: Int32Array, y: Int8Array, o: KernelSvmOptions, rng: SeededRandom, signal?: AbortSignal): Promise<Sigmoid> {
  const l = y.length;
  const perm = Int32Array.from({ length: l }, (_, i) => i);
  for (let i = 0; i < l; i++) {
    const j = i + rng.int(l - i);
    const t = perm[i];
    perm[i] = perm[j];
    perm[j] = t;
  }
  const dec = new Float64Array(l);
  for (let fold = 0; fold < PLATT_FOLDS; fold++) {
    const begin = Math.floor((fold * l) / PLATT_FOLDS);
    const end = Math.floor(((fold + 1) * l) / PLATT_FOLDS);
    const kept = new Int32Array(l - (end - begin));
    kept.set(perm.subarray(0, begin));
    kept.set(perm.subarray(end), begin);
    let positives = 0;
    for (const i of kept) if (y[i] > 0) positives++;
    const negatives = kept.length - positives;
    if (positives === 0 || negatives === 0) {
      const v = positives === 0 && negatives === 0 ? 0 : positives > 0 ? 1 : -1;
      for (let r = begin; r < end; r++) dec[perm[r]] = v;
      continue;
    }
    const svc = await solveSvc(kernel, Int32Array.from(kept, (i) => index[i]), Int8Array.from(kept, (i) => y[i]), o, signal);
    for (let r = begin; r < end; r++) dec[perm[r]] = decision(svc, kernel.data, index[perm[r]]);
  }
  return fitSigmoid(dec, Uint8Array.from(y, (v) => (v > 0 ? 1 : 0)));
}

/**
 * Trains one-vs-one C-SVCs (classification) or an epsilon-SVR (regression) with SMO on `rows`,
 * the training rows standardised by `standardizer` (row-major n×d).
 */
export async function trainKernelSvm(input: TrainInput, rows: Float32Array, d: number, standardizer: Standardizer, o: KernelSvmOptions): Promise<KernelSvmState> {
  const { x, y, task } = input;
  const kernel = new KernelRows({ rows, d, gamma: o.gamma }, CACHE_BYTES);
  if (task === "regression") return trainSvr(input, kernel, rows, d, standardizer, o);
  const K = input.classes.length;
  const members: number[][] = Array.from({ length: K }, () => []);
  for (let i = 0; i < x.n; i++) members[y[i]].push(i);
  const pairs = (K * (K - 1)) / 2;
  const nonzero = new Uint8Array(x.n);
  const solved: { i: number; j: number; svc: BinarySvc; sigmoid: Sigmoid }[] = [];
  const rng = new SeededRandom(input.seed);
  for (let i = 0; i < K; i++) {
    for (let j = i + 1; j < K; j++) {
      const index = Int32Array.from([...members[i], ...members[j]]);
      const subY = Int8Array.from(index, (_, r) => (r < members[i].length ? 1 : -1));
      const sigmoid = await plattSigmoid(kernel, index, subY, o, rng, input.signal);
      const svc = await solveSvc(kernel, index, subY, o, input.signal);
      for (let r = 0; r < index.length; r++) if (svc.coef[r] !== 0) nonzero[index[r]] = 1;
      solved.push({ i, j, svc, sigmoid });
      input.onProgress?.({ step: solved.length, total: pairs, unit: "iteration" });
    }
  }
  // Support vectors grouped by class, in row order within a class (libsvm's layout).
  const svRows: number[] = [];
  const nSV: number[] = [];
  const position = new Int32Array(x.n).fill(-1);
  for (let c = 0; c < K; c++) {
    let count = 0;
    for (const i of members[c]) {
      if (!nonzero[i]) continue;
      position[i] = svRows.length;
      svRows.push(i);
      count++;
    }
    nSV.push(count);
  }
  const total = svRows.length;
  const coef = new Float64Array(Math.max(1, K - 1) * total);
  // Pair (i, j): the coefficients of class i's rows go in row j−1, those of class j's rows in row i.
  for (const { i, j, svc } of solved) {
    for (let r = 0; r < svc.index.length; r++) {
      if (svc.coef[r] === 0) continue;
      const at = position[svc.index[r]];
      if (r < members[i].length) coef[(j - 1) * total + at] = svc.coef[r];
      else coef[i * total + at] = svc.coef[r];
    }
  }
  return {
    method: "smo",
    standardizer,
    gamma: o.gamma,
    sv: gather(rows, d, svRows),
    nSV,
    coef,
    rho: solved.map((s) => s.svc.rho),
    probA: solved.map((s) => s.sigmoid.a),
    probB: solved.map((s) => s.sigmoid.b),
    iterations: solved.map((s) => s.svc.iterations),
  };
}

async function trainSvr(input: TrainInput, kernel: KernelRows, rows: Float32Array, d: number, standardizer: Standardizer, o: KernelSvmOptions): Promise<KernelSvmState> {
  const l = input.x.n;
  const target = targetScale(input.y);
  const p = new Float64Array(2 * l);
  const y = new Int8Array(2 * l);
  for (let i = 0; i < l; i++) {
    const t = (input.y[i] - target.mean) / target.std;
    p[i] = o.epsilon - t;
    y[i] = 1;
    p[i + l] = o.epsilon + t;
    y[i + l] = -1;
  }
  const solution = await solveSmo({
    Q: new SvrQ(kernel, l),
    p,
    y,
    cp: o.c,
    cn: o.c,
    eps: o.tol,
    maxIter: o.maxIter * Math.max(2 * l, 20_000),
    shrinking: true,
    signal: input.signal,
  });
  const svRows: number[] = [];
  const coef: number[] = [];
  for (let i = 0; i < l; i++) {
    const a = solution.alpha[i] - solution.alpha[i + l];
    if (a !== 0) {
      svRows.push(i);
      coef.push(a);
    }
  }
  input.onProgress?.({ step: 1, total: 1, unit: "iteration" });
  return {
    method: "smo",
    standardizer,
    gamma: o.gamma,
    sv: gather(rows, d, svRows),
    nSV: [svRows.length],
    coef: Float64Array.from(coef),
    rho: [solution.rho],
    probA: [],
    probB: [],
    target,
    iterations: [solution.iterations],
  };
}

/** A trained kernel SVM from its serialized form (typed arrays or plain arrays). */
export function kernelSvmModel(model: SerializedModel, toJSON: () => SerializedModel): TrainedModel {
  const state = model.state as KernelSvmState;
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
  const common = { kind: model.kind, featureNames, classes, method: "smo", toJSON };
  if (model.task === "regression") {
    const { mean, std } = state.target!;
    return { ...common, task: "regression", predict: (x) => Float32Array.from(decisions(x), (v) => v * std + mean) };
  }
  const sigmoids: Sigmoid[] = state.probA.map((a, p) => ({ a, b: state.probB[p] }));
  return {
    ...common,
    task: "classification",
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
