import type { TreeArrays } from "../trees/tree-builder.js";
import type { Matrix, Scorer, SerializedModel, Task } from "../types.js";
import { forestSums, packForest, type PackedForest } from "./packed-forest.js";

/**
 * What a tree ensemble's serialized state holds: typed arrays (`serialize`, the binary codec) or
 * plain number arrays (`toJSON`, where `null` stands for a +Infinity threshold).
 */
export interface EnsembleState {
  trees: {
    feature: ArrayLike<number>;
    /** `null` stands for +Infinity in JSON (which has no infinities). */
    threshold: ArrayLike<number | null>;
    left: ArrayLike<number>;
    right: ArrayLike<number>;
    missingLeft: ArrayLike<number>;
    values: ArrayLike<number>;
    importance: ArrayLike<number>;
  }[];
}

/** The trees of a serialized ensemble as typed arrays, each checked to be a well-formed tree over its features and classes. */
export function ensembleTrees(model: SerializedModel, kind: string): TreeArrays[] {
  const state = model.state as EnsembleState;
  if (!state || !Array.isArray(state.trees)) throw new Error(`${kind}: serialized state has no trees`);
  const features = model.featureNames.length;
  const k = model.task === "classification" ? model.classes.length : 1;
  return state.trees.map((t, index): TreeArrays => {
    const tree: TreeArrays = {
      feature: Int32Array.from(t.feature),
      threshold: Float32Array.from(t.threshold, (v) => (v === null ? Infinity : v)),
      left: Int32Array.from(t.left),
      right: Int32Array.from(t.right),
      missingLeft: Uint8Array.from(t.missingLeft),
      values: Float64Array.from(t.values),
      importance: Float64Array.from(t.importance),
    };
    const nodes = tree.feature.length;
    const consistent =
      tree.threshold.length === nodes &&
      tree.left.length === nodes &&
      tree.right.length === nodes &&
      tree.missingLeft.length === nodes &&
      tree.importance.length === features &&
      tree.feature.every((f, node) =>
        tree.left[node] === -1
          ? tree.right[node] >= 0 && tree.right[node] + k <= tree.values.length
          : f >= 0 && f < features && tree.left[node] > node && tree.left[node] < nodes && tree.right[node] > node && tree.right[node] < nodes,
      );
    if (!consistent) throw new Error(`${kind}: serialized tree ${index} is malformed`);
    return tree;
  });
}

/** Trees with what scoring them needs: the task, outputs per leaf, and the features they split on. */
export interface Ensemble {
  kind: string;
  task: Task;
  featureNames: string[];
  /** Outputs per leaf: the number of classes, or 1 for regression. */
  k: number;
  trees: TreeArrays[];
}

/** Each ensemble's trees packed for scoring, made on first use and kept as long as the trees are. */
const packed = new WeakMap<readonly TreeArrays[], PackedForest>();

/** The trees of `e` packed for `forestSums` (once per set of trees). */
export function packedForest(e: Ensemble): PackedForest {
  let f = packed.get(e.trees);
  if (!f) {
    f = packForest(e.trees, e.k, e.featureNames.length);
    packed.set(e.trees, f);
  }
  return f;
}

/** Leaf outputs averaged over the trees in tree order: n×k class probabilities or n means. */
function averageLeaves(e: Ensemble, x: Matrix): Float64Array {
  if (x.columns.length !== e.featureNames.length) {
    throw new Error(`${e.kind}: expected ${e.featureNames.length} features (${e.featureNames.join(", ")}), got ${x.columns.length}`);
  }
  const sum = new Float64Array(x.n * e.k);
  forestSums(packedForest(e), x, 0, x.n, sum);
  const t = e.trees.length;
  for (let q = 0; q < sum.length; q++) sum[q] /= t;
  return sum;
}

/** Class index (first most probable class) or mean prediction per row. */
export function ensemblePredict(e: Ensemble, x: Matrix): Float32Array {
  const avg = averageLeaves(e, x);
  return e.task === "regression" ? Float32Array.from(avg) : mostProbable(avg, x.n, e.k);
}

/** The first most probable class of each row of row-major n×k averages. */
function mostProbable(avg: Float64Array, n: number, k: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (avg[i * k + c] > avg[i * k + best]) best = c;
    out[i] = best;
  }
  return out;
}

/** Classes and probabilities from one walk of the trees (`ensemblePredict` and `ensembleProba` each walk them). */
export function ensemblePredictWithProba(e: Ensemble, x: Matrix): { predictions: Float32Array; probabilities: Float32Array } {
  if (e.task !== "classification") throw new Error(`${e.kind}: predictWithProba is for classification models`);
  const avg = averageLeaves(e, x);
  return { predictions: mostProbable(avg, x.n, e.k), probabilities: Float32Array.from(avg) };
}

/** Row-major n×k class probabilities: the mean of the leaves' class distributions. */
export function ensembleProba(e: Ensemble, x: Matrix): Float32Array {
  if (e.task !== "classification") throw new Error(`${e.kind}: predictProba is for classification models`);
  return Float32Array.from(averageLeaves(e, x));
}

/** Scores a decision tree or a random forest (a tree is an ensemble of one). */
export function treeScorer(model: SerializedModel): Scorer {
  const e: Ensemble = {
    kind: model.kind,
    task: model.task,
    featureNames: model.featureNames,
    k: model.task === "classification" ? model.classes.length : 1,
    trees: ensembleTrees(model, model.kind),
  };
  if (e.trees.length === 0) throw new Error(`${e.kind}: a model needs at least one tree`);
  return {
    predict: (x) => ensemblePredict(e, x),
    ...(e.task === "classification" ? { predictProba: (x: Matrix) => ensembleProba(e, x), predictWithProba: (x: Matrix) => ensemblePredictWithProba(e, x) } : {}),
  };
}
