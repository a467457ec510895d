import { coefficientImportance } from "./coefficient-importance.js";
import { fitLinear } from "./fit-linear.js";
import { passScaling } from "./linear-pass.js";
import { numberParam } from "./params.js";
import { logisticScorer } from "./scoring/logistic-regression.js";
import { orderedColumns, type Standardizer } from "./scoring/standardize.js";
import { fitStandardizer } from "./standardizer.js";
import type { HistoryPoint, Learner, SerializedModel, TrainedModel, TrainInput } from "./types.js";

interface LogisticState {
  standardizer: Standardizer;
  /** p×k row-major, last row the intercept; k = 1 (sigmoid) for two classes, else one column per class. */
  weights: number[];
  k: number;
  history: HistoryPoint[];
}

const defaults = { l2: 1, max_iter: 200, tol: 1e-5 };

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
 * full-batch L-BFGS from zeros (`fit-linear.ts`: the data term in float64 JS over the feature
 * columns, on worker threads when the problem is large; no TensorFlow.js), so `l2` plays sklearn's
 * 1/C (default 1 ≡ C = 1) and the fit is deterministic (the seed is not needed).
 */
export const logisticRegression: Learner = {
  name: "logistic_regression",
  tasks: ["classification"],
  defaults,
  async train(input: TrainInput): Promise<TrainedModel> {
    if (input.task !== "classification") throw new Error("logistic_regression only classifies");
    const K = input.classes.length;
    if (K < 2) throw new Error("logistic_regression needs at least two classes");
    const params = { ...defaults, ...input.params };
    const l2 = numberParam(params, "l2", defaults.l2);
    const maxIter = numberParam(params, "max_iter", defaults.max_iter);
    const tol = numberParam(params, "tol", defaults.tol);
    const { x, y } = input;
    const n = x.n;
    const featureNames = x.names.length ? x.names : x.columns.map((_, j) => `x${j}`);
    const standardizer = fitStandardizer(x);
    const k = K === 2 ? 1 : K;
    const fit = await fitLinear(
      { columns: orderedColumns(x, featureNames), n, k, ...passScaling(standardizer), loss: k === 1 ? "logistic" : "softmax", y, targetMean: 0, targetScale: 1, epsilon: 0 },
      l2 / n,
      { maxIter, tol },
      input,
    );
    const state: LogisticState = { standardizer, weights: fit.weights, k, history: fit.history };
    return build({ kind: "logistic_regression", task: "classification", featureNames, classes: input.classes, params, state });
  },
  load: build,
  ignoresValidation: true,
};
