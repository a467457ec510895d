/**
 * `random_forest`: bagged CART trees with per-split feature sampling, grown on worker threads
 * when the job is large enough. Tree t is grown from a seed derived from the run seed and t,
 * so the forest is the same whatever the number of threads.
 */
import type { Learner } from "../types.js";
import { TreeEnsemble } from "./tree-ensemble.js";
import { positiveInt, trainEnsemble, trainEnsembleStreamed } from "./train-ensemble.js";

const KIND = "random_forest";

/**
 * Parameters: `trees`, `bootstrap`, `max_features` ("auto" = sqrt for classification, all for
 * regression; "sqrt", "log2", "all", a fraction ≤ 1 or a count > 1), `criterion`, `max_depth`
 * (0 = unlimited), `min_samples_split`, `min_samples_leaf`, `max_bins` (≤ 255), and `workers`
 * (threads; 0 = automatic, 1 = this thread) which changes speed, never the model.
 */
export const randomForest: Learner = {
  name: KIND,
  tasks: ["classification", "regression"],
  defaults: {
    trees: 100,
    criterion: "auto",
    max_depth: 0,
    min_samples_split: 2,
    min_samples_leaf: 1,
    max_features: "auto",
    bootstrap: true,
    max_bins: 255,
    workers: 0,
  },
  train(input) {
    return trainEnsemble({ kind: KIND, defaults: randomForest.defaults, trees: (p) => positiveInt(p, "trees") }, input);
  },
  trainStreamed(input) {
    return trainEnsembleStreamed({ kind: KIND, defaults: randomForest.defaults, trees: (p) => positiveInt(p, "trees") }, input);
  },
  ignoresValidation: true,
  load(model) {
    return TreeEnsemble.fromJSON(model, KIND);
  },
};
