/**
 * A trained tree or forest: prediction, importance and the plain-JSON form. A single decision
 * tree is an ensemble of one, so both learners share this model.
 */
import type { Matrix, ParamValue, SerializedModel, Task, TrainedModel } from "../types.js";
import type { TreeArrays } from "./tree-builder.js";

/**
 * What `toJSON` stores in `state`: typed arrays as plain number arrays (`serialize` keeps them
 * typed; `fromJSON` reads either).
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

export interface EnsembleSpec {
  kind: string;
  task: Task;
  featureNames: string[];
  classes: string[];
  params: Record<string, ParamValue>;
  trees: TreeArrays[];
}

/** The leaf each row of `x` reaches in `tree`, as an offset into `tree.values`. */
function leafOffsets(tree: TreeArrays, x: Matrix, out: Int32Array): void {
  const { feature, threshold, left, right, missingLeft } = tree;
  const cols = x.columns;
  for (let i = 0; i < x.n; i++) {
    let node = 0;
    while (left[node] !== -1) {
      const v = cols[feature[node]][i];
      if (v <= threshold[node]) node = left[node];
      else if (v !== v && missingLeft[node] === 1) node = left[node];
      else node = right[node];
    }
    out[i] = right[node];
  }
}

/** A trained tree ensemble (one tree for `decision_tree`). */
export class TreeEnsemble implements TrainedModel {
  readonly kind: string;
  readonly task: Task;
  readonly featureNames: string[];
  readonly classes: string[];
  readonly trees: TreeArrays[];
  /** Threads that grew the trees (1 = the calling thread); not part of the saved model. */
  trainingThreads = 1;
  private readonly params: Record<string, ParamValue>;
  private readonly k: number;

  constructor(spec: EnsembleSpec) {
    this.kind = spec.kind;
    this.task = spec.task;
    this.featureNames = spec.featureNames;
    this.classes = spec.classes;
    this.params = spec.params;
    this.trees = spec.trees;
    this.k = spec.task === "classification" ? spec.classes.length : 1;
    if (this.trees.length === 0) throw new Error(`${spec.kind}: a model needs at least one tree`);
  }

  private check(x: Matrix): void {
    if (x.columns.length !== this.featureNames.length) {
      throw new Error(`${this.kind}: expected ${this.featureNames.length} features (${this.featureNames.join(", ")}), got ${x.columns.length}`);
    }
  }

  /** Leaf outputs averaged over the trees in tree order: n×k class probabilities or n means. */
  private average(x: Matrix): Float64Array {
    this.check(x);
    const { k } = this;
    const sum = new Float64Array(x.n * k);
    const leaf = new Int32Array(x.n);
    for (const tree of this.trees) {
      leafOffsets(tree, x, leaf);
      const values = tree.values;
      for (let i = 0; i < x.n; i++) {
        const o = leaf[i];
        for (let c = 0; c < k; c++) sum[i * k + c] += values[o + c];
      }
    }
    const t = this.trees.length;
    for (let q = 0; q < sum.length; q++) sum[q] /= t;
    return sum;
  }

  /** Class index (first most probable class) or mean prediction per row. */
  predict(x: Matrix): Float32Array {
    const avg = this.average(x);
    if (this.task === "regression") return Float32Array.from(avg);
    const { k } = this;
    const out = new Float32Array(x.n);
    for (let i = 0; i < x.n; i++) {
      let best = 0;
      for (let c = 1; c < k; c++) if (avg[i * k + c] > avg[i * k + best]) best = c;
      out[i] = best;
    }
    return out;
  }

  /** Row-major n×k class probabilities: the mean of the leaves' class distributions. */
  predictProba(x: Matrix): Float32Array {
    if (this.task !== "classification") throw new Error(`${this.kind}: predictProba is for classification models`);
    return Float32Array.from(this.average(x));
  }

  /** Mean decrease in impurity per feature: per-tree shares averaged, normalised to sum 1. */
  importance(): Float64Array {
    const out = new Float64Array(this.featureNames.length);
    for (const tree of this.trees) for (let j = 0; j < out.length; j++) out[j] += tree.importance[j];
    let total = 0;
    for (let j = 0; j < out.length; j++) total += out[j];
    if (total > 0) for (let j = 0; j < out.length; j++) out[j] /= total;
    return out;
  }

  /** `toJSON`'s content with the tree arrays kept typed (for the binary codec). */
  serialize(): SerializedModel {
    return {
      kind: this.kind,
      task: this.task,
      featureNames: [...this.featureNames],
      classes: [...this.classes],
      params: { ...this.params },
      state: { trees: this.trees.map((t) => ({ ...t })) },
    };
  }

  /** The plain-JSON form: the tree arrays as number arrays (+Infinity thresholds as null). */
  toJSON(): SerializedModel {
    const state: EnsembleState = {
      trees: this.trees.map((t) => ({
        feature: Array.from(t.feature),
        threshold: Array.from(t.threshold, (v) => (v === Infinity ? null : v)),
        left: Array.from(t.left),
        right: Array.from(t.right),
        missingLeft: Array.from(t.missingLeft),
        values: Array.from(t.values),
        importance: Array.from(t.importance),
      })),
    };
    return { ...this.serialize(), state };
  }

  /** Rebuilds a model from `toJSON` output, checking the shape of what it reads. */
  static fromJSON(model: SerializedModel, kind: string): TreeEnsemble {
    if (model.kind !== kind) throw new Error(`cannot load a ${model.kind} model as ${kind}`);
    const state = model.state as EnsembleState;
    if (!state || !Array.isArray(state.trees)) throw new Error(`${kind}: serialized state has no trees`);
    const features = model.featureNames.length;
    const k = model.task === "classification" ? model.classes.length : 1;
    const trees = state.trees.map((t, index): TreeArrays => {
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
    return new TreeEnsemble({
      kind,
      task: model.task,
      featureNames: model.featureNames,
      classes: model.classes,
      params: model.params,
      trees,
    });
  }
}
