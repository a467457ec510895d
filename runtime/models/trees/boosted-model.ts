/**
 * A trained gradient boosting model: prediction through `scoring/gradient-boosting.ts` (what a
 * served or exported model runs), gain importance, the training curve and both serialized forms.
 */
import { boostedModel, boostedScorer, type Boosted, type BoostingState } from "../scoring/gradient-boosting.js";
import type { HistoryPoint, Matrix, ParamValue, Scorer, SerializedModel, Task, TrainedModel } from "../types.js";
import type { TreeArrays } from "./tree-builder.js";
import { plainTree } from "./tree-ensemble.js";

export interface BoostedSpec {
  kind: string;
  task: Task;
  featureNames: string[];
  classes: string[];
  params: Record<string, ParamValue>;
  baseline: Float64Array;
  trees: TreeArrays[];
  method: string;
  history?: HistoryPoint[];
}

/** A trained gradient boosting model. */
export class BoostedModel implements TrainedModel {
  readonly kind: string;
  readonly task: Task;
  readonly featureNames: string[];
  readonly classes: string[];
  readonly method: string;
  readonly history?: HistoryPoint[];
  /** Threads that built the histograms (1 = the calling thread); not part of the saved model. */
  trainingThreads = 1;
  private readonly params: Record<string, ParamValue>;
  private readonly boosted: Boosted;
  private readonly scorer: Scorer;

  constructor(spec: BoostedSpec) {
    this.kind = spec.kind;
    this.task = spec.task;
    this.featureNames = spec.featureNames;
    this.classes = spec.classes;
    this.params = spec.params;
    this.method = spec.method;
    if (spec.history) this.history = spec.history;
    this.boosted = { kind: spec.kind, task: spec.task, featureNames: spec.featureNames, classes: spec.classes, baseline: spec.baseline, trees: spec.trees };
    this.scorer = boostedScorer(this.boosted);
  }

  /** Iterations of boosting (a tree per class and iteration for more than two classes). */
  get iterations(): number {
    return this.boosted.trees.length / this.boosted.baseline.length;
  }

  /** The predicted value (regression) or the first most probable class per row. */
  predict(x: Matrix): Float32Array {
    return this.scorer.predict(x);
  }

  /** Row-major n×k class probabilities (classification). */
  predictProba(x: Matrix): Float32Array {
    if (!this.scorer.predictProba) throw new Error(`${this.kind}: predictProba is for classification models`);
    return this.scorer.predictProba(x);
  }

  /** Both from one walk of the trees (classification). */
  predictWithProba(x: Matrix): { predictions: Float32Array; probabilities: Float32Array } {
    if (!this.scorer.predictWithProba) throw new Error(`${this.kind}: predictWithProba is for classification models`);
    return this.scorer.predictWithProba(x);
  }

  /** Total split gain per feature over every tree, normalised to sum 1 (all zero when no tree split). */
  importance(): Float64Array {
    const out = new Float64Array(this.featureNames.length);
    for (const tree of this.boosted.trees) for (let j = 0; j < out.length; j++) out[j] += tree.importance[j];
    const total = out.reduce((s, v) => s + v, 0);
    if (total > 0) for (let j = 0; j < out.length; j++) out[j] /= total;
    return out;
  }

  /** `toJSON`'s content with the tree arrays kept typed (for the binary codec). */
  serialize(): SerializedModel {
    const state: BoostingState = { baseline: Array.from(this.boosted.baseline), trees: this.boosted.trees.map((t) => ({ ...t })), method: this.method, ...(this.history ? { history: this.history } : {}) };
    return { kind: this.kind, task: this.task, featureNames: [...this.featureNames], classes: [...this.classes], params: { ...this.params }, state };
  }

  /** The plain-JSON form: the tree arrays as number arrays (+Infinity thresholds as null). */
  toJSON(): SerializedModel {
    const serialized = this.serialize();
    return { ...serialized, state: { ...(serialized.state as BoostingState), trees: this.boosted.trees.map(plainTree) } };
  }

  /** Rebuilds a model from `toJSON` (or `serialize`) output, checking the shape of what it reads. */
  static fromJSON(model: SerializedModel, kind: string): BoostedModel {
    if (model.kind !== kind) throw new Error(`cannot load a ${model.kind} model as ${kind}`);
    const b = boostedModel(model);
    const { method = "", history } = model.state as BoostingState;
    return new BoostedModel({ kind, task: model.task, featureNames: model.featureNames, classes: model.classes, params: model.params, baseline: b.baseline, trees: b.trees, method, ...(history ? { history } : {}) });
  }
}
