import { fitRows } from "./fit-rows.js";
import { resolveGamma } from "./kernel-svm/kernel-svm.js";
import type { ScoreLoss, ScoreLossJs } from "./rows-objective.js";
import { SeededRandom } from "./seeded-random.js";
import { standardizedRows, type Standardizer } from "./scoring/standardize.js";
import { fourierRows, type FourierFeatures } from "./scoring/svm-primal.js";
import { backendName, initBackend, tf } from "./tf-backend.js";
import type { HistoryPoint, ParamValue, TrainInput } from "./types.js";

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

/** What the primal fit over random Fourier features needs beyond the training input. */
export interface FourierFitOptions {
  /** Score columns: 1 for regression or two classes, else one per class (one-vs-rest). */
  k: number;
  /** Weight of ½‖w‖² relative to the mean loss. */
  penalty: number;
  epsilon: number;
  maxIter: number;
  tol: number;
  /** Regression: the target's mean and std, fitted standardised. */
  target?: { mean: number; std: number };
  /** Number of random features D. */
  components: number;
  /** The `gamma` option: a number or "scale". */
  gamma: ParamValue;
}

/**
 * The rbf `svm` beyond exact SMO: seeded random Fourier features (Rahimi & Recht) of the
 * standardised rows, then the primal squared hinge (squared epsilon-insensitive) fit over them,
 * on the TensorFlow.js backend (loaded here, the only linear path that uses it).
 */
export async function fitFourier(
  input: TrainInput,
  featureNames: string[],
  standardizer: Standardizer,
  opts: FourierFitOptions,
): Promise<{ fourier: FourierFeatures; weights: number[]; history: HistoryPoint[]; backend: string | undefined }> {
  await initBackend();
  const { x, y, task } = input;
  const { k, epsilon, target } = opts;
  const n = x.n;
  const d = featureNames.length;
  const D = opts.components;
  const standardized = standardizedRows(x, featureNames, standardizer);
  const gamma = resolveGamma(opts.gamma, standardized, d);
  const rng = new SeededRandom(input.seed);
  const sd = Math.sqrt(2 * gamma);
  // Rounded to float32 once, so training and prediction use the same Ω, b.
  const omega = Array.from({ length: d * D }, () => Math.fround(rng.normal() * sd));
  const phase = Array.from({ length: D }, () => Math.fround(rng.next() * 2 * Math.PI));
  const fourier = { omega, phase, components: D };
  // The same float64 feature map as prediction, so a model scores its training rows as it was fitted.
  const phi = fourierRows(standardized, n, d, fourier);
  const p = D + 1;
  const rows = new Float32Array(n * p);
  for (let i = 0; i < n; i++) {
    rows.set(phi.subarray(i * D, (i + 1) * D), i * p);
    rows[i * p + D] = 1;
  }
  const t = new Float32Array(n * k);
  if (target) {
    for (let i = 0; i < n; i++) t[i] = (y[i] - target.mean) / target.std;
  } else if (k === 1) {
    for (let i = 0; i < n; i++) t[i] = y[i] === 1 ? 1 : -1;
  } else {
    t.fill(-1);
    for (let i = 0; i < n; i++) t[i * k + y[i]] = 1;
  }
  const regression = task === "regression";
  const fit = await fitRows(
    {
      rows,
      n,
      p,
      k,
      target: t,
      penalty: opts.penalty,
      loss: (tT) => (regression ? squaredEpsilonInsensitive(tT, n, epsilon) : squaredHinge(tT, n)),
      lossJs: regression ? squaredEpsilonInsensitiveJs(t, n, epsilon) : squaredHingeJs(t, n),
    },
    { maxIter: opts.maxIter, tol: opts.tol },
    input,
  );
  return { fourier, weights: fit.weights, history: fit.history, backend: backendName() };
}
