import type { TreeArrays } from "../trees/tree-builder.js";
import type { HistoryPoint, Matrix, Scorer, SerializedModel, Task } from "../types.js";
import { argmaxRows, scoreProbabilities } from "./linear-scores.js";
import { forestSums, packForest, type PackedForest } from "./packed-forest.js";
import { checkedTrees, type EnsembleState } from "./tree-ensemble.js";

/**
 * What a gradient boosting model's serialized state holds: the raw score before any tree (one per
 * output), the trees in iteration order (`outputs` per iteration, tree k of an iteration adding
 * to output k; each leaf holds one value, already scaled by the learning rate), and how it was fitted.
 */
export interface BoostingState {
  baseline: ArrayLike<number>;
  trees: EnsembleState["trees"];
  method?: string;
  /** The training curve (not needed to score). */
  history?: HistoryPoint[];
}

/** A boosted model ready to score: its raw outputs per row are the baseline plus its trees' leaves. */
export interface Boosted {
  kind: string;
  task: Task;
  featureNames: string[];
  classes: string[];
  baseline: Float64Array;
  trees: TreeArrays[];
}

/** Raw scores per row: 1 for regression and two classes (the log-odds of the second), else one per class. */
export function boostingOutputs(task: Task, classes: number): number {
  return task === "classification" && classes > 2 ? classes : 1;
}

/** The model's state read back, checked: the baseline has one value per output and the trees come in whole iterations. */
export function boostedModel(model: SerializedModel): Boosted {
  const kind = model.kind;
  const state = model.state as BoostingState;
  if (!state || !Array.isArray(state.trees) || !state.baseline) throw new Error(`${kind}: serialized state has no trees or baseline`);
  const outputs = boostingOutputs(model.task, model.classes.length);
  const baseline = Float64Array.from(state.baseline);
  if (baseline.length !== outputs || state.trees.length % outputs !== 0) throw new Error(`${kind}: serialized state does not hold ${outputs} output(s) per iteration`);
  return { kind, task: model.task, featureNames: model.featureNames, classes: model.classes, baseline, trees: checkedTrees(state.trees, model.featureNames.length, 1, kind) };
}

/** Each model's trees packed for scoring, one forest per output, made on first use. */
const packed = new WeakMap<Boosted, PackedForest[]>();

function outputForests(m: Boosted): PackedForest[] {
  let forests = packed.get(m);
  if (!forests) {
    const k = m.baseline.length;
    forests = Array.from({ length: k }, (_, c) => packForest(m.trees.filter((_, t) => t % k === c), 1, m.featureNames.length));
    packed.set(m, forests);
  }
  return forests;
}

/** Row-major n×outputs raw scores: the baseline plus every tree's leaf value, added in tree order. */
export function boostedRaw(m: Boosted, x: Matrix): Float64Array {
  if (x.columns.length !== m.featureNames.length) {
    throw new Error(`${m.kind}: expected ${m.featureNames.length} features (${m.featureNames.join(", ")}), got ${x.columns.length}`);
  }
  const k = m.baseline.length;
  const forests = outputForests(m);
  if (k === 1) {
    const raw = new Float64Array(x.n).fill(m.baseline[0]);
    forestSums(forests[0], x, 0, x.n, raw);
    return raw;
  }
  const raw = new Float64Array(x.n * k);
  const sums = new Float64Array(x.n);
  for (let c = 0; c < k; c++) {
    sums.fill(m.baseline[c]);
    forestSums(forests[c], x, 0, x.n, sums);
    for (let i = 0; i < x.n; i++) raw[i * k + c] = sums[i];
  }
  return raw;
}

/** Row-major n×classes probabilities: the sigmoid of the log-odds for two classes, the softmax for more, 1 for a lone class. */
export function boostedProba(m: Boosted, x: Matrix): Float32Array {
  if (m.task !== "classification") throw new Error(`${m.kind}: predictProba is for classification models`);
  if (m.classes.length < 2) return new Float32Array(x.n).fill(1);
  return scoreProbabilities(boostedRaw(m, x), x.n, m.baseline.length);
}

/** Scores a boosted model: the raw score for regression, the first most probable class for classification. */
export function boostedScorer(m: Boosted): Scorer {
  if (m.task === "regression") return { predict: (x) => Float32Array.from(boostedRaw(m, x)) };
  const both = (x: Matrix) => {
    const probabilities = boostedProba(m, x);
    return { predictions: argmaxRows(probabilities, x.n, m.classes.length), probabilities };
  };
  return { predict: (x) => both(x).predictions, predictProba: (x) => boostedProba(m, x), predictWithProba: both };
}

/** Scores a serialized gradient boosting model. */
export function boostingScorer(model: SerializedModel): Scorer {
  return boostedScorer(boostedModel(model));
}
