import { coefficientImportance } from "./coefficient-importance.js";
import { fitLinear } from "./fit-linear.js";
import type { ScoreLoss, ScoreLossJs } from "./linear-objective.js";
import { numberParam } from "./params.js";
import { logisticScorer } from "./scoring/logistic-regression.js";
import { standardizedRows, type Standardizer } from "./scoring/standardize.js";
import { fitStandardizer } from "./standardizer.js";
import { backendName, initBackend, tf } from "./tf-backend.js";
import type { HistoryPoint, Learner, SerializedModel, TrainedModel, TrainInput } from "./types.js";

interface LogisticState {
  standardizer: Standardizer;
  /** p×k row-major, last row the intercept; k = 1 (sigmoid) for two classes, else one column per class. */
  weights: number[];
  k: number;
  history: HistoryPoint[];
}

const defaults = { l2: 1, max_iter: 200, tol: 1e-5 };

/** Binary (sigmoid) cross-entropy for a single score column. */
const binaryLoss =
  (y: tf.Tensor2D, n: number): ScoreLoss =>
  (z) => ({
    loss: tf.div(tf.sum(tf.sub(tf.softplus(z), tf.mul(y, z))), n) as tf.Scalar,
    dz: tf.div(tf.sub(tf.sigmoid(z), y), n) as tf.Tensor2D,
  });

/** Multinomial (softmax) cross-entropy against one-hot targets. */
const softmaxLoss =
  (onehot: tf.Tensor2D, n: number): ScoreLoss =>
  (z) => {
    const logp = tf.logSoftmax(z);
    return {
      loss: tf.div(tf.neg(tf.sum(tf.mul(onehot, logp))), n) as tf.Scalar,
      dz: tf.div(tf.sub(tf.exp(logp), onehot), n) as tf.Tensor2D,
    };
  };

/** The binary loss in float64 JS, for small problems. */
const binaryLossJs =
  (y: Float32Array, n: number): ScoreLossJs =>
  (z, dz) => {
    let loss = 0;
    for (let i = 0; i < n; i++) {
      // softplus(z) - y·z, computed without overflow for large |z|.
      loss += Math.max(z[i], 0) + Math.log1p(Math.exp(-Math.abs(z[i]))) - y[i] * z[i];
      dz[i] = (1 / (1 + Math.exp(-z[i])) - y[i]) / n;
    }
    return loss / n;
  };

/** The softmax loss in float64 JS, for small problems. */
const softmaxLossJs =
  (labels: Float32Array, n: number, k: number): ScoreLossJs =>
  (z, dz) => {
    let loss = 0;
    for (let i = 0; i < n; i++) {
      let max = -Infinity;
      for (let c = 0; c < k; c++) max = Math.max(max, z[i * k + c]);
      let sum = 0;
      for (let c = 0; c < k; c++) sum += Math.exp(z[i * k + c] - max);
      loss += Math.log(sum) + max - z[i * k + labels[i]];
      for (let c = 0; c < k; c++) dz[i * k + c] = (Math.exp(z[i * k + c] - max) / sum - (c === labels[i] ? 1 : 0)) / n;
    }
    return loss / n;
  };

function build(model: SerializedModel): TrainedModel {
  const state = model.state as LogisticState;
  const { featureNames, classes } = model;
  const { k, weights } = state;
  const scorer = logisticScorer(model);
  return {
    kind: model.kind,
    task: "classification",
    featureNames,
    classes,
    predict: scorer.predict,
    predictProba: scorer.predictProba,
    predictWithProba: scorer.predictWithProba,
    importance: () => coefficientImportance(weights, featureNames.length, k),
    history: state.history,
    toJSON: () => model,
  };
}

/**
 * Logistic regression: sigmoid for two classes, multinomial softmax for more, on features
 * standardised with the training mean/std. Minimises mean cross-entropy + l2/(2n)·‖W‖² by
 * full-batch L-BFGS from zeros (the data term on the tfjs backend, or in JS float64 when the
 * problem is small enough that backend call overhead would dominate), so `l2` plays sklearn's 1/C (default 1 ≡ C = 1) and the fit is
 * deterministic (the seed is not needed).
 */
export const logisticRegression: Learner = {
  name: "logistic_regression",
  tasks: ["classification"],
  defaults,
  async train(input: TrainInput): Promise<TrainedModel> {
    if (input.task !== "classification") throw new Error("logistic_regression only classifies");
    const K = input.classes.length;
    if (K < 2) throw new Error("logistic_regression needs at least two classes");
    await initBackend();
    const params = { ...defaults, ...input.params };
    const l2 = numberParam(params, "l2", defaults.l2);
    const maxIter = numberParam(params, "max_iter", defaults.max_iter);
    const tol = numberParam(params, "tol", defaults.tol);
    const { x, y } = input;
    const n = x.n;
    const featureNames = x.names.length ? x.names : x.columns.map((_, j) => `x${j}`);
    const standardizer = fitStandardizer(x);
    const p = featureNames.length + 1;
    const k = K === 2 ? 1 : K;
    const rows = standardizedRows(x, featureNames, standardizer, true);
    const target = new Float32Array(n * k);
    for (let i = 0; i < n; i++) {
      if (k === 1) target[i] = y[i];
      else target[i * k + y[i]] = 1;
    }
    const fit = await fitLinear(
      {
        rows,
        n,
        p,
        k,
        target,
        penalty: l2 / n,
        loss: (t) => (k === 1 ? binaryLoss(t, n) : softmaxLoss(t, n)),
        lossJs: k === 1 ? binaryLossJs(target, n) : softmaxLossJs(y, n, k),
      },
      { maxIter, tol },
      input,
    );
    const state: LogisticState = { standardizer, weights: fit.weights, k, history: fit.history };
    return { ...build({ kind: "logistic_regression", task: "classification", featureNames, classes: input.classes, params, state }), backend: backendName() };
  },
  load: build,
};
