/**
 * The training path both tree learners share: check the input, quantise the features once,
 * grow the trees (one, or a seeded forest) and wrap them in a `TreeEnsemble`.
 */
import type { ParamValue, StreamedTrainInput, TrainInput } from "../types.js";
import { abortError } from "./abort.js";
import { binColumns, type BinnedMatrix } from "./binning.js";
import { growForest } from "./grow-forest.js";
import { deriveSeed } from "./prng.js";
import { binStreamed, EDGE_SAMPLE_ROWS } from "./streamed-binning.js";
import { TreeEnsemble } from "./tree-ensemble.js";
import { resolveMaxBins, resolveTreeOptions } from "./tree-options.js";

export interface EnsemblePlan {
  kind: string;
  /** Defaults for parameters the caller left out. */
  defaults: Record<string, ParamValue>;
  /** Number of trees; a single tree ignores `trees`. */
  trees: (params: Record<string, ParamValue>) => number;
  /** Settings the learner fixes whatever the user says; not stored with the model. */
  fixed?: Record<string, ParamValue>;
}

/** Trains a tree ensemble as `plan` describes. */
export async function trainEnsemble(plan: EnsemblePlan, input: TrainInput): Promise<TreeEnsemble> {
  const { x, y, task, classes } = input;
  if (input.signal?.aborted) throw abortError(input.signal);
  const params = { ...plan.defaults, ...input.params };
  if (x.n < 1) throw new Error(`${plan.kind}: no training rows`);
  if (y.length !== x.n) throw new Error(`${plan.kind}: ${y.length} targets for ${x.n} rows`);
  if (x.columns.length === 0) throw new Error(`${plan.kind}: no features`);
  if (x.names.length !== x.columns.length) throw new Error(`${plan.kind}: ${x.names.length} feature names for ${x.columns.length} columns`);
  const effective = { ...params, ...plan.fixed };
  const options = resolveTreeOptions(effective, task, classes.length, x.columns.length);
  const count = plan.trees(effective);
  const workers = effective.workers ?? 0;
  if (typeof workers !== "number") throw new Error(`workers must be a number, got ${JSON.stringify(workers)}`);

  const binned = binColumns(x.columns, x.n, resolveMaxBins(effective), count > 1);
  return grow(plan, input, params, options, count, workers, binned, y, x.names);
}

/**
 * `trainEnsemble` on rows streamed from DuckDB (`streamed-binning.ts`): bin edges from a seeded
 * sample of at most EDGE_SAMPLE_ROWS rows (fewer when the budget is small), every row binned in one
 * pass; the trees then grow on the cells as in memory. With every row in the sample, the same
 * model bit for bit; otherwise the edges are the sample's quantiles.
 */
export async function trainEnsembleStreamed(plan: EnsemblePlan, input: StreamedTrainInput): Promise<TreeEnsemble> {
  const { data, task, classes } = input;
  if (input.signal?.aborted) throw abortError(input.signal);
  const params = { ...plan.defaults, ...input.params };
  const effective = { ...params, ...plan.fixed };
  const options = resolveTreeOptions(effective, task, classes.length, data.names.length);
  const count = plan.trees(effective);
  const workers = effective.workers ?? 0;
  if (typeof workers !== "number") throw new Error(`workers must be a number, got ${JSON.stringify(workers)}`);
  // The sample's float32 columns take about a quarter of the budget (a block is an eighth).
  const sampleRows = Math.min(EDGE_SAMPLE_ROWS, 2 * data.rowsPerBlock(1));
  const { binned, y } = await binStreamed(data, resolveMaxBins(effective), sampleRows, deriveSeed(input.seed, -1), count > 1, input.signal);
  const model = await grow(plan, input, params, options, count, workers, binned, y, data.names);
  model.method = "streamed";
  return model;
}

/** Grows the trees on binned rows and wraps them in a `TreeEnsemble`. */
async function grow(plan: EnsemblePlan, input: Pick<TrainInput, "task" | "classes" | "seed" | "signal" | "onProgress">, params: Record<string, ParamValue>, options: ReturnType<typeof resolveTreeOptions>, count: number, workers: number, binned: BinnedMatrix, y: Float32Array, names: string[]): Promise<TreeEnsemble> {
  const { task, classes } = input;
  const seeds = Array.from({ length: count }, (_, t) => deriveSeed(input.seed, t));
  const grown = await growForest({
    data: { binned, y },
    options,
    seeds,
    workers,
    signal: input.signal,
    onTree: input.onProgress && ((done, total) => input.onProgress!({ step: done, total, unit: "tree" })),
  });
  const model = new TreeEnsemble({
    kind: plan.kind,
    task,
    featureNames: [...names],
    classes: [...classes],
    params,
    trees: grown.trees,
  });
  model.trainingThreads = grown.threads;
  return model;
}

/** A whole number ≥ 1 from `params[key]`. */
export function positiveInt(params: Record<string, ParamValue>, key: string): number {
  const v = params[key];
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1) throw new Error(`${key} must be a whole number >= 1, got ${JSON.stringify(v)}`);
  return v;
}
