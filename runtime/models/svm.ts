import { OptionError } from "../errors.js";
import { coefficientImportance } from "./coefficient-importance.js";
import { fitLinear } from "./fit-linear.js";
import { kernelSvmModel, resolveGamma, trainKernelSvm, type KernelSvmState } from "./kernel-svm/kernel-svm.js";
import type { ScoreLoss, ScoreLossJs } from "./linear-objective.js";
import { choiceParam, numberParam } from "./params.js";
import { SeededRandom } from "./seeded-random.js";
import { standardizedRows, type Standardizer } from "./scoring/standardize.js";
import { fourierRows, primalSvmScorer, type FourierFeatures } from "./scoring/svm-primal.js";
import { fitStandardizer, targetScale } from "./standardizer.js";
import { backendName, initBackend, tf } from "./tf-backend.js";
import type { HistoryPoint, Learner, ParamValue, SerializedModel, TrainedModel, TrainInput } from "./types.js";

interface SvmState {
  /** "rff D" for random Fourier features; absent for the linear kernel. */
  method?: string;
  standardizer: Standardizer;
  fourier?: FourierFeatures;
  /** p×k row-major over the (standardised or Fourier) features, last row the intercept. */
  weights: number[];
  k: number;
  /** Regression targets are fitted standardised; predictions are mapped back with these. */
  target?: { mean: number; std: number };
  history: HistoryPoint[];
}

/** Up to this many training rows, `kernel: rbf` is solved exactly (SMO); beyond, random Fourier features. */
export const SMO_MAX_ROWS = 20_000;

/**
 * Random Fourier features for an rbf model beyond SMO_MAX_ROWS: as many as keep the n×D feature
 * matrix near 40M floats (160 MB), between 300 and 2,000 — more features, a closer kernel.
 */
export function fourierComponents(n: number): number {
  return Math.max(300, Math.min(2000, Math.floor(40_000_000 / n)));
}

const defaults: Record<string, ParamValue> = {
  kernel: "linear",
  c: 1,
  gamma: "scale",
  // 0: exact (SMO) up to SMO_MAX_ROWS rows, else random features sized by fourierComponents.
  components: 0,
  epsilon: 0.1,
  max_iter: 500,
  tol: 1e-4,
};

/** Squared hinge loss (LinearSVC's default) for ±1 targets, one column per one-vs-rest problem. */
const squaredHinge =
  (t: tf.Tensor2D, n: number): ScoreLoss =>
  (z) => {
    const slack = tf.relu(tf.sub(1, tf.mul(t, z)));
    return {
      loss: tf.div(tf.sum(tf.square(slack)), n) as tf.Scalar,
      dz: tf.mul(tf.mul(t, slack), -2 / n) as tf.Tensor2D,
    };
  };

/** Squared epsilon-insensitive loss (LinearSVR's differentiable variant). */
const squaredEpsilonInsensitive =
  (t: tf.Tensor2D, n: number, epsilon: number): ScoreLoss =>
  (z) => {
    const r = tf.sub(z, t);
    const excess = tf.relu(tf.sub(tf.abs(r), epsilon));
    return {
      loss: tf.div(tf.sum(tf.square(excess)), n) as tf.Scalar,
      dz: tf.mul(tf.mul(tf.sign(r), excess), 2 / n) as tf.Tensor2D,
    };
  };

/** Squared hinge in float64 JS, for small problems. */
const squaredHingeJs =
  (t: Float32Array, n: number): ScoreLossJs =>
  (z, dz) => {
    let loss = 0;
    for (let i = 0; i < z.length; i++) {
      const slack = Math.max(0, 1 - t[i] * z[i]);
      loss += slack * slack;
      dz[i] = (-2 * t[i] * slack) / n;
    }
    return loss / n;
  };

/** Squared epsilon-insensitive loss in float64 JS, for small problems. */
const squaredEpsilonInsensitiveJs =
  (t: Float32Array, n: number, epsilon: number): ScoreLossJs =>
  (z, dz) => {
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const r = z[i] - t[i];
      const excess = Math.max(0, Math.abs(r) - epsilon);
      loss += excess * excess;
      dz[i] = (2 * Math.sign(r) * excess) / n;
    }
    return loss / n;
  };

/** The JSON form of a kernel SVM: typed arrays as plain number arrays. */
function kernelJson(model: SerializedModel): SerializedModel {
  const state = model.state as KernelSvmState;
  return { ...model, state: { ...state, sv: Array.from(state.sv), coef: Array.from(state.coef) } };
}

function build(model: SerializedModel): TrainedModel {
  if ((model.state as { method?: string }).method === "smo") {
    const m = kernelSvmModel(model, () => kernelJson(model));
    return { ...m, serialize: () => model };
  }
  const state = model.state as SvmState;
  const { featureNames, classes } = model;
  const { k, weights, fourier } = state;
  const scorer = primalSvmScorer(model);
  const common = {
    kind: model.kind,
    featureNames,
    classes,
    history: state.history,
    method: state.method,
    toJSON: () => model,
    ...(fourier ? {} : { importance: () => coefficientImportance(weights, featureNames.length, k) }),
  };
  if (model.task === "regression") return { ...common, task: "regression", predict: scorer.predict };
  return { ...common, task: "classification", predict: scorer.predict, predictProba: scorer.predictProba };
}

/**
 * Support vector machine on standardised features. `kernel: "linear"` works in the primal:
 * squared hinge (one-vs-rest) for classification, squared epsilon-insensitive loss for
 * regression, objective ½‖w‖² + c·Σ loss (LinearSVC/LinearSVR), minimised by full-batch L-BFGS
 * (data term on the tfjs backend, or in JS float64 for small problems). `kernel: "rbf"` is
 * solved exactly with libsvm's SMO (kernel-svm/: one-vs-one C-SVC with Platt probabilities,
 * epsilon-SVR — scikit-learn's SVC/SVR) up to SMO_MAX_ROWS training rows; beyond that, or when
 * `components` is set, the features go through seeded random Fourier features (Rahimi & Recht)
 * and the primal solver, so the model stays linear in size and speed. The model's `method`
 * says which ran ("smo", "rff 2000"). Regression fits the standardised target, so `epsilon` is
 * in units of the target's standard deviation.
 */
export const svm: Learner = {
  name: "svm",
  tasks: ["classification", "regression"],
  defaults,
  async train(input: TrainInput): Promise<TrainedModel> {
    const params = { ...defaults, ...input.params };
    const kernel = choiceParam(params, "kernel", ["linear", "rbf"] as const, "linear");
    const c = numberParam(params, "c", 1);
    if (!(c > 0)) throw new OptionError("option c must be positive");
    const maxIter = numberParam(params, "max_iter", 500);
    if (!(maxIter >= 1)) throw new OptionError("option max_iter must be at least 1");
    const tol = numberParam(params, "tol", 1e-4);
    if (!(tol > 0)) throw new OptionError("option tol must be positive");
    const epsilon = numberParam(params, "epsilon", 0.1);
    if (!(epsilon >= 0)) throw new OptionError("option epsilon must be at least 0");
    const components = numberParam(params, "components", 0);
    if (!Number.isInteger(components) || components < 0) throw new OptionError("option components must be a whole number >= 0");
    const { x, y, task } = input;
    const n = x.n;
    const featureNames = x.names.length ? x.names : x.columns.map((_, j) => `x${j}`);
    const d = featureNames.length;
    const standardizer = fitStandardizer(x);
    const K = input.classes.length;
    if (task === "classification" && K < 2) throw new Error("svm needs at least two classes");
    const k = task === "regression" || K === 2 ? 1 : K;

    if (kernel === "rbf" && components === 0 && n <= SMO_MAX_ROWS) {
      const standardized = standardizedRows(x, featureNames, standardizer);
      const gamma = resolveGamma(params.gamma, standardized, d);
      const state = await trainKernelSvm(input, standardized, d, standardizer, { c, gamma, epsilon, tol, maxIter });
      return build({ kind: "svm", task, featureNames, classes: input.classes, params, state });
    }

    await initBackend();
    let fourier: FourierFeatures | undefined;
    let rows: Float32Array;
    let p: number;
    if (kernel === "rbf") {
      const D = components > 0 ? components : fourierComponents(n);
      const gamma = resolveGamma(params.gamma, standardizedRows(x, featureNames, standardizer), d);
      const rng = new SeededRandom(input.seed);
      const sd = Math.sqrt(2 * gamma);
      // Rounded to float32 once, so training and prediction use the same Ω, b.
      const omega = Array.from({ length: d * D }, () => Math.fround(rng.normal() * sd));
      const phase = Array.from({ length: D }, () => Math.fround(rng.next() * 2 * Math.PI));
      fourier = { omega, phase, components: D };
      // The same float64 feature map as prediction, so a model scores its training rows as it was fitted.
      const phi = fourierRows(standardizedRows(x, featureNames, standardizer), n, d, fourier);
      p = D + 1;
      rows = new Float32Array(n * p);
      for (let i = 0; i < n; i++) {
        rows.set(phi.subarray(i * D, (i + 1) * D), i * p);
        rows[i * p + D] = 1;
      }
    } else {
      p = d + 1;
      rows = standardizedRows(x, featureNames, standardizer, true);
    }

    let target: { mean: number; std: number } | undefined;
    const t = new Float32Array(n * k);
    if (task === "regression") {
      target = targetScale(y);
      for (let i = 0; i < n; i++) t[i] = (y[i] - target.mean) / target.std;
    } else if (k === 1) {
      for (let i = 0; i < n; i++) t[i] = y[i] === 1 ? 1 : -1;
    } else {
      t.fill(-1);
      for (let i = 0; i < n; i++) t[i * k + y[i]] = 1;
    }
    // ½‖w‖² + c·Σ loss, divided by c·n so the data term is a mean.
    const penalty = 1 / (c * n);
    const fit = await fitLinear(
      {
        rows,
        n,
        p,
        k,
        target: t,
        penalty,
        loss: (tT) => (task === "regression" ? squaredEpsilonInsensitive(tT, n, epsilon) : squaredHinge(tT, n)),
        lossJs: task === "regression" ? squaredEpsilonInsensitiveJs(t, n, epsilon) : squaredHingeJs(t, n),
      },
      { maxIter, tol },
      input,
    );
    const method = fourier ? `rff ${fourier.components}` : undefined;
    const state: SvmState = { ...(method ? { method } : {}), standardizer, fourier, weights: fit.weights, k, target, history: fit.history };
    return { ...build({ kind: "svm", task, featureNames, classes: input.classes, params, state }), backend: backendName() };
  },
  load: build,
};
