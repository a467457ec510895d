/**
 * `gradient_boosting`: scikit-learn's HistGradientBoosting on Lathe's histogram trees. Features
 * are binned once (≤ 255 value bins plus a missing bin); each iteration computes the loss's
 * gradients and hessians at the current raw scores and grows one tree per output on them
 * (gradient-tree.ts), its leaves scaled by `learning_rate`. Early stopping watches the validation
 * loss: of the model's validation dataset when it has one, else of a seeded, stratified holdout of
 * `validation_fraction` of the training rows; it stops when none of the last `n_iter_no_change`
 * iterations beat the loss before them by more than `tol` (all trees are kept, as scikit-learn
 * does). No thread and no unseeded choice: a seed fixes the model bit for bit.
 */
import { OptionError } from "../../errors.js";
import { choiceParam, numberParam } from "../params.js";
import type { HistoryPoint, Learner, Matrix, ParamValue, TrainInput } from "../types.js";
import { leafOffsets } from "../scoring/tree-ensemble.js";
import { abortError } from "./abort.js";
import { binColumns, BYTE_VALUE_BINS } from "./binning.js";
import { BoostedModel } from "./boosted-model.js";
import { boostingLoss } from "./boosting-loss.js";
import { GradientTreeGrower, type GradientTreeOptions } from "./gradient-tree.js";
import { holdout } from "./holdout.js";
import type { TreeArrays } from "./tree-builder.js";

const KIND = "gradient_boosting";

/** Above this many rows `early_stopping: auto` turns early stopping on (scikit-learn's rule). */
const AUTO_EARLY_STOPPING_ROWS = 10_000;

/** How often (ms) training yields to the event loop, so an abort can land between iterations. */
const YIELD_MS = 50;

/** Everything a fit needs from the options, checked. */
interface BoostingOptions {
  tree: GradientTreeOptions;
  maxIter: number;
  maxBins: number;
  earlyStopping: "auto" | boolean;
  validationFraction: number;
  nIterNoChange: number;
  tol: number;
}

function wholeNumber(params: Record<string, ParamValue>, key: string, min: number, max = Infinity): number {
  const v = numberParam(params, key, NaN);
  if (!Number.isInteger(v) || v < min || v > max) throw new OptionError(`${key} must be a whole number >= ${min}${max < Infinity ? ` and <= ${max}` : ""}, got ${v}`);
  return v;
}

function resolveOptions(params: Record<string, ParamValue>): BoostingOptions {
  const learningRate = numberParam(params, "learning_rate", NaN);
  if (!(learningRate > 0)) throw new OptionError(`learning_rate must be > 0, got ${learningRate}`);
  const l2 = numberParam(params, "l2_regularization", NaN);
  if (!(l2 >= 0)) throw new OptionError(`l2_regularization must be >= 0, got ${l2}`);
  const validationFraction = numberParam(params, "validation_fraction", NaN);
  if (!(validationFraction > 0 && validationFraction < 1)) throw new OptionError(`validation_fraction must be > 0 and < 1, got ${validationFraction}`);
  const tol = numberParam(params, "tol", NaN);
  if (!(tol >= 0)) throw new OptionError(`tol must be >= 0, got ${tol}`);
  const early = params.early_stopping;
  const earlyStopping = typeof early === "boolean" ? early : (({ auto: "auto", true: true, false: false }) as const)[choiceParam(params, "early_stopping", ["auto", "true", "false"], "auto")];
  return {
    tree: {
      maxLeafNodes: wholeNumber(params, "max_leaf_nodes", 2),
      maxDepth: wholeNumber(params, "max_depth", 0),
      minSamplesLeaf: wholeNumber(params, "min_samples_leaf", 1),
      l2,
      learningRate,
    },
    maxIter: wholeNumber(params, "max_iter", 1),
    maxBins: wholeNumber(params, "max_bins", 2, BYTE_VALUE_BINS),
    earlyStopping,
    validationFraction,
    nIterNoChange: wholeNumber(params, "n_iter_no_change", 1),
    tol,
  };
}

/** The columns of `x` at rows `rows`. */
function takeRows(x: Matrix, rows: Int32Array): Matrix {
  return { n: rows.length, names: x.names, columns: x.columns.map((c) => Float32Array.from(rows, (i) => c[i])) };
}

/** Adds a tree's leaf values to raw scores `raw[i]` of the rows of `x`. */
function addTree(tree: TreeArrays, x: Matrix, leaf: Int32Array, raw: Float64Array): void {
  leafOffsets(tree, x, leaf);
  for (let i = 0; i < x.n; i++) raw[i] += tree.values[leaf[i]];
}

/** scikit-learn's rule: stop when no score of the last `wait` beats the one before them by more than `tol` (higher is better). */
function shouldStop(scores: number[], wait: number, tol: number): boolean {
  if (scores.length < wait + 1) return false;
  const reference = scores[scores.length - wait - 1] + tol;
  return !scores.slice(-wait).some((s) => s > reference);
}

async function trainBoosting(input: TrainInput): Promise<BoostedModel> {
  const { x, y, task, classes } = input;
  if (input.signal?.aborted) throw abortError(input.signal);
  const params = { ...gradientBoosting.defaults, ...input.params };
  if (x.n < 1) throw new Error(`${KIND}: no training rows`);
  if (y.length !== x.n) throw new Error(`${KIND}: ${y.length} targets for ${x.n} rows`);
  if (x.columns.length === 0) throw new Error(`${KIND}: no features`);
  if (x.names.length !== x.columns.length) throw new Error(`${KIND}: ${x.names.length} feature names for ${x.columns.length} columns`);
  const options = resolveOptions(params);
  const classification = task === "classification";
  for (let i = 0; i < x.n; i++) {
    const v = y[i];
    const ok = classification ? Number.isInteger(v) && v >= 0 && v < classes.length : Number.isFinite(v);
    if (!ok) throw new Error(`${KIND}: row ${i}: ${classification ? `class index ${v} is not in 0..${classes.length - 1}` : `target ${v} is not a finite number`}`);
  }

  const early = options.earlyStopping === "auto" ? x.n > AUTO_EARLY_STOPPING_ROWS : options.earlyStopping;
  // The model's own validation dataset when it has one; else, to stop early, a holdout of the training rows.
  let trainX = x;
  let trainY = y;
  let validation = input.validation;
  if (early && !validation && x.n >= 2) {
    const cut = holdout(y, classification ? classes.length : 0, options.validationFraction, input.seed);
    trainX = takeRows(x, cut.train);
    trainY = Float32Array.from(cut.train, (i) => y[i]);
    validation = { x: takeRows(x, cut.validation), y: Float32Array.from(cut.validation, (i) => y[i]) };
  }

  const n = trainX.n;
  const loss = boostingLoss(task, classes.length);
  const k = loss.outputs;
  const baseline = loss.baseline(trainY);
  const raw = new Float64Array(k * n);
  for (let c = 0; c < k; c++) raw.fill(baseline[c], c * n, (c + 1) * n);
  const g = new Float32Array(k * n);
  const h = new Float32Array(loss.constantHessian ? 0 : k * n);
  const nv = validation?.x.n ?? 0;
  const rawVal = new Float64Array(k * nv);
  for (let c = 0; c < k; c++) rawVal.fill(baseline[c], c * nv, (c + 1) * nv);
  const leaf = new Int32Array(nv);

  const binned = binColumns(trainX.columns, n, options.maxBins);
  const grower = new GradientTreeGrower(binned, options.tree);
  const trees: TreeArrays[] = [];
  const history: HistoryPoint[] = [];
  const scores = validation && early ? [-loss.loss(validation.y, rawVal)] : [];
  // A lone class needs no trees: every row is that class.
  const iterations = classification && classes.length < 2 ? 0 : options.maxIter;
  let stopped = false;
  let lastYield = performance.now();
  const report = (point: HistoryPoint) => {
    history.push(point);
    input.onProgress?.({ step: point.step, total: options.maxIter, unit: "iteration", loss: point.loss, ...(point.valLoss !== undefined ? { valLoss: point.valLoss } : {}) });
  };
  let pendingValLoss: number | undefined;
  for (let it = 0; it < iterations && !stopped; it++) {
    // The gradient pass also gives the training loss of the scores so far: the previous iteration's.
    const trainLoss = loss.gradients(trainY, raw, g, h);
    if (it > 0) report({ step: it, loss: trainLoss, ...(pendingValLoss !== undefined ? { valLoss: pendingValLoss } : {}) });
    for (let c = 0; c < k; c++) {
      const tree = grower.grow(g.subarray(c * n, (c + 1) * n), h.subarray(c * n, (c + 1) * n), loss.constantHessian, raw.subarray(c * n, (c + 1) * n));
      trees.push(tree);
      if (validation) addTree(tree, validation.x, leaf, rawVal.subarray(c * nv, (c + 1) * nv));
    }
    if (validation) {
      pendingValLoss = loss.loss(validation.y, rawVal);
      if (early) {
        scores.push(-pendingValLoss);
        stopped = shouldStop(scores, options.nIterNoChange, options.tol);
      }
    }
    if (performance.now() - lastYield > YIELD_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      lastYield = performance.now();
    }
    if (input.signal?.aborted) throw abortError(input.signal);
  }
  const done = trees.length / k;
  if (done > 0) report({ step: done, loss: loss.loss(trainY, raw), ...(pendingValLoss !== undefined ? { valLoss: pendingValLoss } : {}) });
  return new BoostedModel({
    kind: KIND,
    task,
    featureNames: [...x.names],
    classes: [...classes],
    params,
    baseline,
    trees,
    method: `${done} iteration${done === 1 ? "" : "s"}${stopped ? ", stopped early" : ""}`,
    history,
  });
}

/**
 * Parameters (scikit-learn's names and defaults): `learning_rate`, `max_iter`, `max_leaf_nodes`,
 * `max_depth` (0 = unlimited), `min_samples_leaf`, `l2_regularization`, `max_bins` (≤ 255),
 * `early_stopping` (auto = on above 10,000 rows, or true / false), `validation_fraction`,
 * `n_iter_no_change`, `tol`.
 */
export const gradientBoosting: Learner = {
  name: KIND,
  tasks: ["classification", "regression"],
  defaults: {
    learning_rate: 0.1,
    max_iter: 100,
    max_leaf_nodes: 31,
    max_depth: 0,
    min_samples_leaf: 20,
    l2_regularization: 0,
    max_bins: 255,
    early_stopping: "auto",
    validation_fraction: 0.1,
    n_iter_no_change: 10,
    tol: 1e-7,
  },
  train: trainBoosting,
  load(model) {
    return BoostedModel.fromJSON(model, KIND);
  },
};
