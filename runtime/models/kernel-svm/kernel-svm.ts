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
import { Pacer } from "../abort.js";
import { OptionError } from "../../errors.js";
import { SeededRandom } from "../seeded-random.js";
import { kernelSvmScorer, type KernelSvmWeights } from "../scoring/kernel-svm.js";
import type { Sigmoid } from "../scoring/platt-probability.js";
import { rbf } from "../scoring/rbf.js";
import type { Standardizer } from "../scoring/standardize.js";
import { targetScale } from "../standardizer.js";
import type { ParamValue, SerializedModel, TrainedModel, TrainInput } from "../types.js";
import { fitSigmoid } from "./platt.js";
import { KernelRows, SvcQ, SvrQ, type RbfData } from "./rbf-kernel.js";
import { solveSmo } from "./smo-solver.js";

/** Kernel rows kept per model: scikit-learn's default cache_size, 200 MB. */
const CACHE_BYTES = 200 * 1024 * 1024;
/** Folds of the cross-validation that gives Platt's sigmoid unbiased decision values (libsvm's 5). */
const PLATT_FOLDS = 5;

/** What the serialized state of an exact kernel SVM holds: what scoring reads, how it was solved. */
export interface KernelSvmState extends KernelSvmWeights {
  method: "smo";
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
  const pace = new Pacer(signal);
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
    for (let r = begin; r < end; r++) {
      if (pace.due()) await pace.pause();
      dec[perm[r]] = decision(svc, kernel.data, index[perm[r]]);
    }
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

/** A trained kernel SVM from its serialized form (typed arrays or plain arrays); it predicts with `scoring/kernel-svm.ts`. */
export function kernelSvmModel(model: SerializedModel, toJSON: () => SerializedModel): TrainedModel {
  const { featureNames, classes } = model;
  const scorer = kernelSvmScorer(model);
  const common = { kind: model.kind, featureNames, classes, method: "smo", toJSON };
  if (model.task === "regression") return { ...common, task: "regression", predict: scorer.predict };
  return { ...common, task: "classification", predict: scorer.predict, predictProba: scorer.predictProba };
}
