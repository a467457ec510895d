import { coefficientImportance } from "./coefficient-importance.js";
import { fitLinear } from "./fit-linear.js";
import { passScaling, type PassData } from "./linear-pass.js";
import { numberParam } from "./params.js";
import { logisticScorer } from "./scoring/logistic-regression.js";
import { orderedColumns, type Standardizer } from "./scoring/standardize.js";
import { fitStandardizer, streamedMoments } from "./standardizer.js";
import type { StreamedPassData } from "./streamed-linear-objective.js";
import type { HistoryPoint, Learner, SerializedModel, StreamedTrainInput, TrainedModel, TrainInput } from "./types.js";

interface LogisticState {
  standardizer: Standardizer;
  /** p×k row-major, last row the intercept; k = 1 (sigmoid) for two classes, else one column per class. */
  weights: number[];
  k: number;
  history: HistoryPoint[];
  /** "streamed" when it was fitted on rows streamed from DuckDB. */
  method?: string;
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
    ...(state.method ? { method: state.method } : {}),
    toJSON: () => model,
  };
}

/** Fits a logistic model on rows in memory or streamed (`source` adds them to the pass's constants). */
async function fitLogistic(
  input: Pick<TrainInput, "task" | "classes" | "params" | "signal" | "onProgress">,
  featureNames: string[],
  standardizer: Standardizer,
  n: number,
  source: (common: Omit<PassData, "columns" | "n" | "y">) => PassData | StreamedPassData,
  method?: string,
): Promise<TrainedModel> {
  if (input.task !== "classification") throw new Error("logistic_regression only classifies");
  const K = input.classes.length;
  if (K < 2) throw new Error("logistic_regression needs at least two classes");
  const params = { ...defaults, ...input.params };
  const l2 = numberParam(params, "l2", defaults.l2);
  const maxIter = numberParam(params, "max_iter", defaults.max_iter);
  const tol = numberParam(params, "tol", defaults.tol);
  const k = K === 2 ? 1 : K;
  const fit = await fitLinear(source({ k, ...passScaling(standardizer), loss: k === 1 ? "logistic" : "softmax", targetMean: 0, targetScale: 1, epsilon: 0 }), l2 / n, { maxIter, tol }, input);
  const state: LogisticState = { standardizer, weights: fit.weights, k, history: fit.history, ...(method ? { method } : {}) };
  return build({ kind: "logistic_regression", task: "classification", featureNames, classes: input.classes, params, state });
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
    const { x, y } = input;
    const featureNames = x.names.length ? x.names : x.columns.map((_, j) => `x${j}`);
    const standardizer = fitStandardizer(x);
    return fitLogistic(input, featureNames, standardizer, x.n, (common) => ({ ...common, columns: orderedColumns(x, featureNames), n: x.n, y }));
  },
  /** The same fit on rows streamed from DuckDB: the same model bit for bit, memory one block. */
  async trainStreamed(input: StreamedTrainInput): Promise<TrainedModel> {
    const { standardizer } = await streamedMoments(input.data, input.signal);
    return fitLogistic(input, input.data.names, standardizer, input.data.n, (common) => ({ ...common, data: input.data }), "streamed");
  },
  load: build,
  ignoresValidation: true,
};
