/**
 * `decision_tree`: one CART tree (gini/entropy or squared error) grown on all rows with
 * histogram split finding. See tree-builder.ts for the algorithm.
 */
import type { Learner } from "../types.js";
import { TreeEnsemble } from "./tree-ensemble.js";
import { trainEnsemble, trainEnsembleStreamed } from "./train-ensemble.js";

const KIND = "decision_tree";
/** A single tree always sees every row once: bootstrap and threads do not apply. */
const fixed = { bootstrap: false, workers: 1 };

/**
 * Parameters: `criterion` ("auto" = gini | "entropy" for classification, squared error for
 * regression), `max_depth` (0 = unlimited), `min_samples_split`, `min_samples_leaf`,
 * `max_features` ("all", "sqrt", "log2", a fraction ≤ 1 or a count > 1) and `max_bins` (≤ 255).
 */
export const decisionTree: Learner = {
  name: KIND,
  tasks: ["classification", "regression"],
  defaults: {
    criterion: "auto",
    max_depth: 0,
    min_samples_split: 2,
    min_samples_leaf: 1,
    max_features: "all",
    max_bins: 255,
  },
  train(input) {
    return trainEnsemble({ kind: KIND, defaults: decisionTree.defaults, trees: () => 1, fixed }, input);
  },
  trainStreamed(input) {
    return trainEnsembleStreamed({ kind: KIND, defaults: decisionTree.defaults, trees: () => 1, fixed }, input);
  },
  ignoresValidation: true,
  load(model) {
    return TreeEnsemble.fromJSON(model, KIND);
  },
};
