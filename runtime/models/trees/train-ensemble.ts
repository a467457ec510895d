/**
 * The training path both tree learners share: check the input, quantise the features once,
 * grow the trees (one, or a seeded forest) and wrap them in a `TreeEnsemble`.
 */
import type { ParamValue, TrainInput } from "../types.js";
import { abortError } from "./abort.js";
import { binColumns } from "./binning.js";
import { growForest } from "./grow-forest.js";
import { deriveSeed } from "./prng.js";
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
    featureNames: [...x.names],
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
