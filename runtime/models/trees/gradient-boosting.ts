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
import type { Learner, Matrix, TrainInput } from "../types.js";
import { collectGarbage } from "../../collect-garbage.js";
import { abortError } from "./abort.js";
import { binColumns } from "./binning.js";
import { BoostedModel } from "./boosted-model.js";
import { boostingLoss } from "./boosting-loss.js";
import { boostingKernels, histogramData, typedArray } from "./gradient-histograms.js";
import { GradientTreeGrower } from "./gradient-tree.js";
import { HistogramThreads } from "./histogram-threads.js";
import { holdout } from "./holdout.js";
import { compiledWorkerUrl } from "../../worker-url.js";
import { trainBoostingStreamed } from "./streamed-boosting.js";
import { boost, boostingDefaults, checkTargets, earlyStopping, KIND, resolveOptions } from "./boosting-loop.js";

/** Below this many training rows × features the fit's passes stay in this thread (`workers: 0`). */
const THREAD_MIN_CELLS = 1_000_000;

/** The columns of `x` at rows `rows`. */
function takeRows(x: Matrix, rows: Int32Array): Matrix {
  const columns = x.columns.map((c) => {
    const out = new Float32Array(rows.length);
    for (let r = 0; r < rows.length; r++) out[r] = c[rows[r]];
    return out;
  });
  return { n: rows.length, names: x.names, columns };
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
  // Worker threads only for the JavaScript engine: the native module has threads of its own.
  const url = wanted > 1 && !boostingKernels() ? compiledWorkerUrl("histogram-worker.js", import.meta.url) : undefined;
  const shared = url !== undefined;
  const binned = binColumns(trainX.columns, n, options.maxBins, shared);
  // The trees read the bins only: the float32 columns can go while they grow (a holdout's are this fit's own).
  if (input.releaseColumns || trainX !== x) {
    trainX.columns.length = 0;
    collectGarbage();
  }
  const g = typedArray(Float32Array, k * n, shared);
  const h = typedArray(Float32Array, loss.constantHessian ? 0 : k * n, shared);
  const data = histogramData(binned, g, h, shared);
  const threads = await HistogramThreads.start(data, wanted, url);
  try {
    const grower = new GradientTreeGrower(binned, options.tree, data, threads);
    const model = await boost(
      { task, classes, names: x.names, params, options, early, baseline, validation, releaseValidation: input.releaseColumns || validation !== input.validation, onProgress: input.onProgress, signal: input.signal, threads: threads.native },
      {
        gradients: () => loss.gradients(trainY, raw, g, h, threads.native),
        grow: (c) => grower.growTree(c, loss.constantHessian, raw.subarray(c * n, (c + 1) * n)),
        loss: () => loss.loss(trainY, raw, threads.native),
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
 * `n_iter_no_change`, `tol`; and `workers` (threads for the fit's passes — histograms, loss,
 * partition, validation walk; 0 = one per core for large data, 1 = this thread), which changes
 * speed, never the model.
 */
export const gradientBoosting: Learner = {
  name: KIND,
  tasks: ["classification", "regression"],
  defaults: boostingDefaults,
  async train(input) {
    const model = await trainBoosting(input);
    // The bins, gradients, raw scores and packed validation rows died with the fit (14 MB at 140k × 20):
    // collected now, not at V8's leisure (a fit allocates little JavaScript), so the next step (scoring
    // the test part) does not allocate on top of them.
    if (input.releaseColumns) collectGarbage();
    return model;
  },
  trainStreamed: (input) => trainBoostingStreamed(input),
  load(model) {
    return BoostedModel.fromJSON(model, KIND);
  },
};
