/**
 * The boosting loop gradient_boosting shares between in-memory (gradient-boosting.ts) and streamed
 * (streamed-boosting.ts) training: its options, the loop over iterations with early stopping, and the
 * target checks. A module of its own so neither trainer imports the other.
 */
import { OptionError } from "../../errors.js";
import type { HistoryPoint, Matrix, ParamValue, TrainInput } from "../types.js";
import { packedSums, packForest, packRows, type PackedRows } from "../scoring/packed-forest.js";
import { abortError } from "./abort.js";
import { BYTE_VALUE_BINS } from "./binning.js";
import { BoostedModel } from "./boosted-model.js";
import { boostingLoss } from "./boosting-loss.js";
import { boostingKernels } from "./gradient-histograms.js";
import type { GradientTreeOptions } from "./gradient-tree.js";
import type { TreeArrays } from "./tree-builder.js";

export const KIND = "gradient_boosting";

/** Above this many rows `early_stopping: auto` turns early stopping on (scikit-learn's rule). */
const AUTO_EARLY_STOPPING_ROWS = 10_000;

/** How often (ms) training yields to the event loop, so an abort can land between iterations. */
const YIELD_MS = 50;

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

/**
 * Adds a tree's leaf values to raw scores `raw[i]` of the packed rows (the scorer's walk, so
 * validation sees what the model will predict; the rows are packed once per fit, not per tree).
 */
function addTree(tree: TreeArrays, rows: PackedRows, raw: Float64Array, threads = 1): void {
  const forest = packForest([tree], 1, rows.features);
  const kernels = boostingKernels();
  // The native walk: the same comparisons and the same one addition per row.
  if (kernels) return kernels.walkTree(forest.nodes, forest.missingLeft, forest.roots[0], forest.values, 1, rows.block, rows.n, rows.features + 1, raw, 0, threads);
  packedSums(forest, rows, raw);
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
  /** The validation columns may be emptied once packed for scoring (the fit's own, or `TrainInput.releaseColumns`). */
  releaseValidation?: boolean;
  onProgress?: TrainInput["onProgress"];
  signal?: AbortSignal;
  /** Rows streamed from DuckDB: the method says so. */
  streamed?: boolean;
  /** Threads the validation rows' passes may use (the native module's; the same results for any number). */
  threads?: number;
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
  // Scored from the packed rows only: the columns would hold the validation rows twice.
  if (validation && fit.releaseValidation) validation.x.columns.length = 0;
  const trees: TreeArrays[] = [];
  const history: HistoryPoint[] = [];
  const threads = fit.threads ?? 1;
  const scores = validation && fit.early ? [-loss.loss(validation.y, rawVal, threads)] : [];
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
      if (packedValidation) addTree(tree, packedValidation, rawVal.subarray(c * nv, (c + 1) * nv), threads);
    }
    if (validation) {
      pendingValLoss = loss.loss(validation.y, rawVal, threads);
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


/** The options' defaults (scikit-learn's names and values; `workers` 0: one thread per core for large data). */
export const boostingDefaults: Record<string, ParamValue> = {
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
};
