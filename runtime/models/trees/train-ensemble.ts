/**
 * The training path both tree learners share: check the input, quantise the features once,
 * grow the trees (one, or a seeded forest) and wrap them in a `TreeEnsemble`.
 */
import type { ParamValue, StreamedTrainInput, TrainInput } from "../types.js";
import { collectGarbage } from "../../collect-garbage.js";
import { abortError } from "./abort.js";
import { binColumns, type BinnedMatrix } from "./binning.js";
import { growForest } from "./grow-forest.js";
import { deriveSeed } from "./prng.js";
import { ChunkFile } from "./chunk-file.js";
import { binToChunks, byteCells, EDGE_SAMPLE_ROWS, streamedEdges } from "./streamed-binning.js";
import { StreamedCartGrower } from "./streamed-tree.js";
import type { TreeArrays } from "./tree-builder.js";
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
  // The trees read the bins only: the float32 columns can go while they grow.
  if (input.releaseColumns) {
    x.columns.length = 0;
    collectGarbage();
  }
  return grow(plan, input, params, options, count, workers, binned, y, x.names);
}

/** The least memory a pass's histograms may take: a small budget would otherwise make every pass build one node's. */
const HISTOGRAM_FLOOR = 4 * 2 ** 20;

/** What the last streamed ensemble held and did, for tests and the bench: cells are never held for all rows. */
export const lastStreamedEnsemble = { rows: 0, chunkRows: 0, chunks: 0, codeBytes: 0, passes: 0 };

/**
 * `trainEnsemble` on rows streamed from DuckDB (streamed-tree.ts): bin edges from a seeded sample
 * of at most EDGE_SAMPLE_ROWS rows (fewer when the budget is small), every row binned in one pass
 * into a chunk file on disk, then each tree grown level by level, a pass over the file per level.
 * Reproducible (the same seed gives the same trees), not the in-memory model (see streamed-tree.ts).
 */
export async function trainEnsembleStreamed(plan: EnsemblePlan, input: StreamedTrainInput): Promise<TreeEnsemble> {
  const { data, task, classes, signal } = input;
  if (signal?.aborted) throw abortError(signal);
  const params = { ...plan.defaults, ...input.params };
  const effective = { ...params, ...plan.fixed };
  const d = data.names.length;
  const options = resolveTreeOptions(effective, task, classes.length, d);
  const count = plan.trees(effective);
  const block = data.rowsPerBlock(1);
  // The sample's float32 columns take about a quarter of the budget (a block is an eighth).
  const binning = await streamedEdges(data, resolveMaxBins(effective), Math.min(EDGE_SAMPLE_ROWS, 2 * block), deriveSeed(input.seed, -1), signal);
  const bytes = byteCells(binning.edges) ? 1 : 2;
  // A chunk's buffers (float32 staging, cells, targets, nodes) about a block of float32 columns.
  const chunkRows = Math.max(1, Math.min(data.n, Math.floor((block * (d + 1) * 4) / (4 * d + bytes * d + 12))));
  const file = new ChunkFile(data.n, chunkRows, { bins: bytes * d, y: 4, node: 4 });
  try {
    Object.assign(lastStreamedEnsemble, { rows: data.n, chunkRows, chunks: file.chunks, codeBytes: chunkRows * d * bytes, passes: 0 });
    await binToChunks(data, binning, file, signal, undefined, (y) => checkTreeTargets(plan.kind, y, options));
    // The histograms of a batch of nodes: about two blocks, and at least 4 MB (a node's take up to 8 KB a feature per class).
    const grower = new StreamedCartGrower({ features: d, ...binning }, options, file, Math.max(2 * block * (d + 1) * 4, HISTOGRAM_FLOOR), bytes);
    const trees: TreeArrays[] = [];
    for (let t = 0; t < count; t++) {
      trees.push(grower.grow(deriveSeed(input.seed, t)));
      input.onProgress?.({ step: t + 1, total: count, unit: "tree" });
      // Yield so an abort (or anything else queued) can run between trees.
      await new Promise((resolve) => setImmediate(resolve));
      if (signal?.aborted) throw abortError(signal);
    }
    lastStreamedEnsemble.passes = grower.passes;
    const model = ensemble(plan, input, params, data.names, trees);
    model.method = "streamed";
    return model;
  } finally {
    file.close();
  }
}

/** A streamed chunk's targets checked as the tree builder checks them in memory: class indices in range, or finite values. */
function checkTreeTargets(kind: string, y: Float32Array, options: ReturnType<typeof resolveTreeOptions>): void {
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    const ok = options.task === "classification" ? Number.isInteger(v) && v >= 0 && v < options.classes : Number.isFinite(v);
    if (!ok) throw new Error(`${kind}: target ${v} is not ${options.task === "classification" ? `a class index in 0..${options.classes - 1}` : "a finite number"}`);
  }
}

/** Grows the trees on binned rows and wraps them in a `TreeEnsemble`. */
async function grow(plan: EnsemblePlan, input: Pick<TrainInput, "task" | "classes" | "seed" | "signal" | "onProgress">, params: Record<string, ParamValue>, options: ReturnType<typeof resolveTreeOptions>, count: number, workers: number, binned: BinnedMatrix, y: Float32Array, names: string[]): Promise<TreeEnsemble> {
  const seeds = Array.from({ length: count }, (_, t) => deriveSeed(input.seed, t));
  const grown = await growForest({
    data: { binned, y },
    options,
    seeds,
    workers,
    signal: input.signal,
    onTree: input.onProgress && ((done, total) => input.onProgress!({ step: done, total, unit: "tree" })),
  });
  const model = ensemble(plan, input, params, names, grown.trees);
  model.trainingThreads = grown.threads;
  return model;
}

/** The model of grown trees. */
function ensemble(plan: EnsemblePlan, input: Pick<TrainInput, "task" | "classes">, params: Record<string, ParamValue>, names: string[], trees: TreeArrays[]): TreeEnsemble {
  return new TreeEnsemble({ kind: plan.kind, task: input.task, featureNames: [...names], classes: [...input.classes], params, trees });
}

/** A whole number ≥ 1 from `params[key]`. */
export function positiveInt(params: Record<string, ParamValue>, key: string): number {
  const v = params[key];
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1) throw new Error(`${key} must be a whole number >= 1, got ${JSON.stringify(v)}`);
  return v;
}
