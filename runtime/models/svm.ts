import { OptionError } from "../errors.js";
import { coefficientImportance } from "./coefficient-importance.js";
import { fitLinear } from "./fit-linear.js";
import { kernelSvmModel, resolveGamma, trainKernelSvm, type KernelSvmState } from "./kernel-svm/kernel-svm.js";
import { passScaling, type PassData } from "./linear-pass.js";
import { choiceParam, numberParam } from "./params.js";
import { orderedColumns, standardizedRows, type Standardizer } from "./scoring/standardize.js";
import { primalSvmScorer, type FourierFeatures } from "./scoring/svm-primal.js";
import { fitStandardizer, streamedMoments, targetScale } from "./standardizer.js";
import type { StreamedPassData } from "./streamed-linear-objective.js";
import type { HistoryPoint, Learner, ParamValue, SerializedModel, StreamedTrainInput, TrainedModel, TrainInput } from "./types.js";

interface SvmState {
  /** "rff D" for random Fourier features; "streamed" for the linear kernel on rows streamed from DuckDB; absent otherwise. */
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

/** The options of an svm, checked. */
function svmOptions(params: Record<string, ParamValue>) {
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
  return { kernel, c, maxIter, tol, epsilon, components };
}

/** The linear kernel in the primal, on rows in memory or streamed (`source` adds them to the pass's constants). */
async function fitLinearSvm(
  input: Pick<TrainInput, "task" | "classes" | "params" | "signal" | "onProgress">,
  featureNames: string[],
  standardizer: Standardizer,
  target: { mean: number; std: number } | undefined,
  n: number,
  o: ReturnType<typeof svmOptions>,
  source: (common: Omit<PassData, "columns" | "n" | "y">) => PassData | StreamedPassData,
  method?: string,
): Promise<TrainedModel> {
  const { task } = input;
  const k = task === "regression" || input.classes.length === 2 ? 1 : input.classes.length;
  const params = { ...defaults, ...input.params };
  const fit = await fitLinear(
    source({
      k,
      ...passScaling(standardizer),
      loss: task === "regression" ? "squared-epsilon-insensitive" : "squared-hinge",
      targetMean: target?.mean ?? 0,
      targetScale: target ? 1 / target.std : 1,
      epsilon: o.epsilon,
    }),
    // ½‖w‖² + c·Σ loss, divided by c·n so the data term is a mean.
    1 / (o.c * n),
    { maxIter: o.maxIter, tol: o.tol },
    input,
  );
  const state: SvmState = { ...(method ? { method } : {}), standardizer, weights: fit.weights, k, target, history: fit.history };
  return build({ kind: "svm", task, featureNames, classes: input.classes, params, state });
}

/**
 * Support vector machine on standardised features. `kernel: "linear"` works in the primal:
 * squared hinge (one-vs-rest) for classification, squared epsilon-insensitive loss for
 * regression, objective ½‖w‖² + c·Σ loss (LinearSVC/LinearSVR), minimised by full-batch L-BFGS
 * (`fit-linear.ts`: float64 JS over the feature columns, worker threads when large). `kernel: "rbf"` is
 * solved exactly with libsvm's SMO (kernel-svm/: one-vs-one C-SVC with Platt probabilities,
 * epsilon-SVR — scikit-learn's SVC/SVR) up to SMO_MAX_ROWS training rows; beyond that, or when
 * `components` is set, the features go through seeded random Fourier features (Rahimi & Recht)
 * and the primal solver on TensorFlow.js (`svm-fourier.ts`), so the model stays linear in size and speed. The model's `method`
 * says which ran ("smo", "rff 2000"). Regression fits the standardised target, so `epsilon` is
 * in units of the target's standard deviation.
 */
export const svm: Learner = {
  name: "svm",
  tasks: ["classification", "regression"],
  defaults,
  async train(input: TrainInput): Promise<TrainedModel> {
    const params = { ...defaults, ...input.params };
    const o = svmOptions(params);
    const { kernel, c, maxIter, tol, epsilon, components } = o;
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

    const target = task === "regression" ? targetScale(y) : undefined;
    if (kernel === "rbf") {
      // Only here is TensorFlow.js loaded: its matrix products suit the wide Fourier design.
      const { fitFourier } = await import("./svm-fourier.js");
      const fit = await fitFourier(input, featureNames, standardizer, { k, penalty: 1 / (c * n), epsilon, maxIter, tol, target, components: components > 0 ? components : fourierComponents(n), gamma: params.gamma });
      const state: SvmState = { method: `rff ${fit.fourier.components}`, standardizer, fourier: fit.fourier, weights: fit.weights, k, target, history: fit.history };
      return { ...build({ kind: "svm", task, featureNames, classes: input.classes, params, state }), backend: fit.backend };
    }
    return fitLinearSvm(input, featureNames, standardizer, target, n, o, (common) => ({ ...common, columns: orderedColumns(x, featureNames), n, y }));
  },
  /** The linear kernel on rows streamed from DuckDB (the same model bit for bit); the rbf kernel trains in memory. */
  async trainStreamed(input: StreamedTrainInput): Promise<TrainedModel | undefined> {
    const o = svmOptions({ ...defaults, ...input.params });
    if (o.kernel !== "linear") return undefined;
    if (input.task === "classification" && input.classes.length < 2) throw new Error("svm needs at least two classes");
    const moments = await streamedMoments(input.data, input.signal);
    const target = input.task === "regression" ? moments.target : undefined;
    return fitLinearSvm(input, input.data.names, moments.standardizer, target, input.data.n, o, (common) => ({ ...common, data: input.data }), "streamed");
  },
  load: build,
  ignoresValidation: true,
};
