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
import { availableParallelism } from "node:os";
import { OptionError } from "../../errors.js";
import type { HistoryPoint, Learner, Matrix, ParamValue, TrainInput } from "../types.js";
import { packedSums, packForest, packRows, type PackedRows } from "../scoring/packed-forest.js";
import { abortError } from "./abort.js";
import { binColumns, BYTE_VALUE_BINS } from "./binning.js";
import { BoostedModel } from "./boosted-model.js";
import { boostingLoss } from "./boosting-loss.js";
import { histogramData, typedArray } from "./gradient-histograms.js";
import { GradientTreeGrower, type GradientTreeOptions } from "./gradient-tree.js";
import { HistogramThreads } from "./histogram-threads.js";
import { holdout } from "./holdout.js";
import type { TreeArrays } from "./tree-builder.js";
import { compiledWorkerUrl } from "./worker-url.js";
import { trainBoostingStreamed } from "./streamed-boosting.js";

export const KIND = "gradient_boosting";

/** Above this many rows `early_stopping: auto` turns early stopping on (scikit-learn's rule). */
const AUTO_EARLY_STOPPING_ROWS = 10_000;

/** How often (ms) training yields to the event loop, so an abort can land between iterations. */
const YIELD_MS = 50;

/** Below this many training rows × features the histogram pass stays in this thread (`workers: 0`). */
const THREAD_MIN_CELLS = 1_000_000;

/** Everything a fit needs from the options, checked. */
export interface BoostingOptions {
  tree: GradientTreeOptions;
  maxIter: number;
  maxBins: number;
  earlyStopping: "auto" | boolean;
  validationFraction: number;
  nIterNoChange: number;
  tol: number;
  workers: number;
}

/** A number option (always present: the defaults are merged in) within [min, max], whole when `whole`; open ends exclude the bound. */
function numberOption(params: Record<string, ParamValue>, key: string, o: { min: number; max?: number; whole?: boolean; minOpen?: boolean; maxOpen?: boolean }): number {
  const v = params[key];
  const max = o.max ?? Infinity;
  const ok = typeof v === "number" && Number.isFinite(v) && (o.minOpen ? v > o.min : v >= o.min) && (o.maxOpen ? v < max : v <= max) && (!o.whole || Number.isInteger(v));
  if (!ok) {
    const range = `${o.minOpen ? ">" : ">="} ${o.min}${max < Infinity ? ` and ${o.maxOpen ? "<" : "<="} ${max}` : ""}`;
    throw new OptionError(`${key} must be ${o.whole ? "a whole number " : ""}${range}, got ${JSON.stringify(v)}`);
  }
  return v;
}

export function resolveOptions(params: Record<string, ParamValue>): BoostingOptions {
  const early = params.early_stopping;
  const earlyStopping = early === true || early === "true" ? true : early === false || early === "false" ? false : early === "auto" ? "auto" : undefined;
  if (earlyStopping === undefined) throw new OptionError(`early_stopping must be auto, true or false, got ${JSON.stringify(early)}`);
  return {
    tree: {
      maxLeafNodes: numberOption(params, "max_leaf_nodes", { min: 2, whole: true }),
      maxDepth: numberOption(params, "max_depth", { min: 0, whole: true }),
      minSamplesLeaf: numberOption(params, "min_samples_leaf", { min: 1, whole: true }),
      l2: numberOption(params, "l2_regularization", { min: 0 }),
      learningRate: numberOption(params, "learning_rate", { min: 0, minOpen: true }),
    },
    maxIter: numberOption(params, "max_iter", { min: 1, whole: true }),
    maxBins: numberOption(params, "max_bins", { min: 2, max: BYTE_VALUE_BINS, whole: true }),
    earlyStopping,
    validationFraction: numberOption(params, "validation_fraction", { min: 0, max: 1, minOpen: true, maxOpen: true }),
    nIterNoChange: numberOption(params, "n_iter_no_change", { min: 1, whole: true }),
    tol: numberOption(params, "tol", { min: 0 }),
    workers: numberOption(params, "workers", { min: 0, whole: true }),
  };
}

/** The columns of `x` at rows `rows`. */
function takeRows(x: Matrix, rows: Int32Array): Matrix {
  const columns = x.columns.map((c) => {
    const out = new Float32Array(rows.length);
    for (let r = 0; r < rows.length; r++) out[r] = c[rows[r]];
    return out;
  });
  return { n: rows.length, names: x.names, columns };
}

/**
 * Adds a tree's leaf values to raw scores `raw[i]` of the packed rows (the scorer's walk, so
 * validation sees what the model will predict; the rows are packed once per fit, not per tree).
 */
function addTree(tree: TreeArrays, rows: PackedRows, raw: Float64Array): void {
  packedSums(packForest([tree], 1, rows.features), rows, raw);
}

/** scikit-learn's rule: stop when no score of the last `wait` beats the one before them by more than `tol` (higher is better). */
function shouldStop(scores: number[], wait: number, tol: number): boolean {
  if (scores.length < wait + 1) return false;
  const reference = scores[scores.length - wait - 1] + tol;
  return !scores.slice(-wait).some((s) => s > reference);
}

/** The rows a fit boosts on, in memory or streamed (streamed-boosting.ts): what the loop asks of them. */
export interface BoostingRows {
  /** Gradients and hessians at the raw scores of the trees so far; returns the mean loss there. */
  gradients(): number;
  /** Grows output `c`'s tree of this iteration on those gradients. */
  grow(c: number): TreeArrays;
  /** The mean loss at the raw scores of every tree grown. */
  loss(): number;
}

/** What the boosting loop needs besides the rows. */
export interface BoostingFit {
  task: TrainInput["task"];
  classes: string[];
  names: string[];
  params: Record<string, ParamValue>;
  options: BoostingOptions;
  early: boolean;
  baseline: Float64Array;
  validation?: { x: Matrix; y: Float32Array };
  onProgress?: TrainInput["onProgress"];
  signal?: AbortSignal;
  /** Rows streamed from DuckDB: the method says so. */
  streamed?: boolean;
}

/**
 * The boosting loop: per iteration, the gradients, one tree per output, the validation loss and
 * early stopping (trees added to the validation rows' raw scores as the scorer walks them).
 */
export async function boost(fit: BoostingFit, rows: BoostingRows): Promise<BoostedModel> {
  const { task, classes, options, validation, baseline } = fit;
  const classification = task === "classification";
  const loss = boostingLoss(task, classes.length);
  const k = loss.outputs;
  const nv = validation?.x.n ?? 0;
  const rawVal = new Float64Array(k * nv);
  for (let c = 0; c < k; c++) rawVal.fill(baseline[c], c * nv, (c + 1) * nv);
  const packedValidation = validation ? packRows(validation.x) : undefined;
  const trees: TreeArrays[] = [];
  const history: HistoryPoint[] = [];
  const scores = validation && fit.early ? [-loss.loss(validation.y, rawVal)] : [];
  // A lone class needs no trees: every row is that class.
  const iterations = classification && classes.length < 2 ? 0 : options.maxIter;
  let stopped = false;
  let lastYield = performance.now();
  const report = (point: HistoryPoint) => {
    history.push(point);
    fit.onProgress?.({ step: point.step, total: options.maxIter, unit: "iteration", loss: point.loss, ...(point.valLoss !== undefined ? { valLoss: point.valLoss } : {}) });
  };
  let pendingValLoss: number | undefined;
  for (let it = 0; it < iterations && !stopped; it++) {
    // The gradient pass also gives the training loss of the scores so far: the previous iteration's.
    const trainLoss = rows.gradients();
    if (it > 0) report({ step: it, loss: trainLoss, ...(pendingValLoss !== undefined ? { valLoss: pendingValLoss } : {}) });
    for (let c = 0; c < k; c++) {
      const tree = rows.grow(c);
      trees.push(tree);
      if (packedValidation) addTree(tree, packedValidation, rawVal.subarray(c * nv, (c + 1) * nv));
    }
    if (validation) {
      pendingValLoss = loss.loss(validation.y, rawVal);
      if (fit.early) {
        scores.push(-pendingValLoss);
        stopped = shouldStop(scores, options.nIterNoChange, options.tol);
      }
    }
    if (performance.now() - lastYield > YIELD_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      lastYield = performance.now();
    }
    if (fit.signal?.aborted) throw abortError(fit.signal);
  }
  const done = trees.length / k;
  if (done > 0) report({ step: done, loss: rows.loss(), ...(pendingValLoss !== undefined ? { valLoss: pendingValLoss } : {}) });
  return new BoostedModel({
    kind: KIND,
    task,
    featureNames: [...fit.names],
    classes: [...classes],
    params: fit.params,
    baseline,
    trees,
    method: `${done} iteration${done === 1 ? "" : "s"}${stopped ? ", stopped early" : ""}${fit.streamed ? ", streamed" : ""}`,
    history,
  });
}

/** The training targets' check, in memory and streamed: class indices in range, or finite values. */
export function checkTargets(y: Float32Array, task: TrainInput["task"], classes: number, first = 0): void {
  const classification = task === "classification";
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    const ok = classification ? Number.isInteger(v) && v >= 0 && v < classes : Number.isFinite(v);
    if (!ok) throw new Error(`${KIND}: row ${first + i}: ${classification ? `class index ${v} is not in 0..${classes - 1}` : `target ${v} is not a finite number`}`);
  }
}

/** Whether early stopping is on for `n` training rows. */
export function earlyStopping(options: BoostingOptions, n: number): boolean {
  return options.earlyStopping === "auto" ? n > AUTO_EARLY_STOPPING_ROWS : options.earlyStopping;
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
  checkTargets(y, task, classes.length);

  const early = earlyStopping(options, x.n);
  // The model's own validation dataset when it has one; else, to stop early, a holdout of the training rows.
  let trainX = x;
  let trainY = y;
  let validation = input.validation;
  if (early && !validation && x.n >= 2) {
    const cut = holdout(y, classification ? classes.length : 0, options.validationFraction, input.seed);
    trainX = takeRows(x, cut.train);
    trainY = takeRows({ n: x.n, names: ["y"], columns: [y] }, cut.train).columns[0];
    validation = { x: takeRows(x, cut.validation), y: takeRows({ n: x.n, names: ["y"], columns: [y] }, cut.validation).columns[0] };
  }

  const n = trainX.n;
  const loss = boostingLoss(task, classes.length);
  const k = loss.outputs;
  const baseline = loss.baseline(trainY);
  const raw = new Float64Array(k * n);
  for (let c = 0; c < k; c++) raw.fill(baseline[c], c * n, (c + 1) * n);

  const features = trainX.columns.length;
  const wanted = options.workers === 0 ? (n * features >= THREAD_MIN_CELLS ? availableParallelism() : 1) : options.workers;
  const url = wanted > 1 ? compiledWorkerUrl("histogram-worker.js") : undefined;
  const shared = url !== undefined;
  const binned = binColumns(trainX.columns, n, options.maxBins, shared);
  const g = typedArray(Float32Array, k * n, shared);
  const h = typedArray(Float32Array, loss.constantHessian ? 0 : k * n, shared);
  const data = histogramData(binned, g, h, shared);
  const threads = await HistogramThreads.start(data, wanted, url);
  try {
    const grower = new GradientTreeGrower(binned, options.tree, data, threads);
    const model = await boost(
      { task, classes, names: x.names, params, options, early, baseline, validation, onProgress: input.onProgress, signal: input.signal },
      {
        gradients: () => loss.gradients(trainY, raw, g, h),
        grow: (c) => grower.growTree(c, loss.constantHessian, raw.subarray(c * n, (c + 1) * n)),
        loss: () => loss.loss(trainY, raw),
      },
    );
    model.trainingThreads = threads.threads;
    return model;
  } finally {
    threads.close();
  }
}

/**
 * Parameters (scikit-learn's names and defaults): `learning_rate`, `max_iter`, `max_leaf_nodes`,
 * `max_depth` (0 = unlimited), `min_samples_leaf`, `l2_regularization`, `max_bins` (≤ 255),
 * `early_stopping` (auto = on above 10,000 rows, or true / false), `validation_fraction`,
 * `n_iter_no_change`, `tol`; and `workers` (threads for the histogram pass; 0 = one per core for
 * large data, 1 = this thread), which changes speed, never the model.
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
    workers: 0,
  },
  train: trainBoosting,
  trainStreamed: (input) => trainBoostingStreamed(input),
  load(model) {
    return BoostedModel.fromJSON(model, KIND);
  },
};
