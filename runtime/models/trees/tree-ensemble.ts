/**
 * A trained tree or forest: prediction, importance and the plain-JSON form. A single decision
 * tree is an ensemble of one, so both learners share this model.
 */
import { ensemblePredict, ensemblePredictWithProba, ensembleProba, ensembleTrees, type EnsembleState } from "../scoring/tree-ensemble.js";
import type { Matrix, ParamValue, SerializedModel, Task, TrainedModel } from "../types.js";
import type { TreeArrays } from "./tree-builder.js";

export interface EnsembleSpec {
  kind: string;
  task: Task;
  featureNames: string[];
  classes: string[];
  params: Record<string, ParamValue>;
  trees: TreeArrays[];
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
  /** "streamed" when trained on rows streamed from DuckDB (binned from a sample's edges). */
  method?: string;
  private readonly params: Record<string, ParamValue>;
  /** Outputs per leaf: the number of classes, or 1 for regression. */
  readonly k: number;

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

  /** Class index (first most probable class) or mean prediction per row (`scoring/tree-ensemble.ts`). */
  predict(x: Matrix): Float32Array {
    return ensemblePredict(this, x);
  }

  /** Row-major n×k class probabilities: the mean of the leaves' class distributions. */
  predictProba(x: Matrix): Float32Array {
    return ensembleProba(this, x);
  }

  /** Both from one walk of the trees (classification). */
  predictWithProba(x: Matrix): { predictions: Float32Array; probabilities: Float32Array } {
    return ensemblePredictWithProba(this, x);
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
    const state: EnsembleState = { trees: this.trees.map(plainTree) };
    return { ...this.serialize(), state };
  }

  /** Rebuilds a model from `toJSON` (or `serialize`) output, checking the shape of what it reads. */
  static fromJSON(model: SerializedModel, kind: string): TreeEnsemble {
    if (model.kind !== kind) throw new Error(`cannot load a ${model.kind} model as ${kind}`);
    return new TreeEnsemble({
      kind,
      task: model.task,
      featureNames: model.featureNames,
      classes: model.classes,
      params: model.params,
      trees: ensembleTrees(model, kind),
    });
  }
}

/** A tree's arrays as plain number arrays for JSON (+Infinity thresholds as null). */
export function plainTree(t: TreeArrays): EnsembleState["trees"][number] {
  return {
    feature: Array.from(t.feature),
    threshold: Array.from(t.threshold, (v) => (v === Infinity ? null : v)),
    left: Array.from(t.left),
    right: Array.from(t.right),
    missingLeft: Array.from(t.missingLeft),
    values: Array.from(t.values),
    importance: Array.from(t.importance),
  };
}
