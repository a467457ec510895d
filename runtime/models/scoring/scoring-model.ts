import type { Scorer, SerializedModel } from "../types.js";
import { boostingScorer } from "./gradient-boosting.js";
import { kernelSvmScorer } from "./kernel-svm.js";
import { linearRegressionScorer } from "./linear-regression.js";
import { logisticScorer } from "./logistic-regression.js";
import { mlpScorer } from "./mlp.js";
import { primalSvmScorer } from "./svm-primal.js";
import { treeScorer } from "./tree-ensemble.js";

/** Each learner's scorer, by the model's kind; `svm` picks by its state's method. */
const scorers: Record<string, (model: SerializedModel) => Scorer> = {
  logistic_regression: logisticScorer,
  linear_regression: linearRegressionScorer,
  svm: (model) => ((model.state as { method?: string }).method === "smo" ? kernelSvmScorer(model) : primalSvmScorer(model)),
  neural_network: mlpScorer,
  decision_tree: treeScorer,
  random_forest: treeScorer,
  gradient_boosting: boostingScorer,
};

/**
 * What scores a serialized model's feature rows, without its learner: the same functions the
 * learners' `load` uses, so a registered model, a server and an exported folder predict with
 * literally the same code. This folder imports nothing at run time but itself.
 */
export function scoringModel(model: SerializedModel): Scorer {
  const scorer = Object.prototype.hasOwnProperty.call(scorers, model.kind) ? scorers[model.kind] : undefined;
  if (!scorer) throw new Error(`no scorer for a ${JSON.stringify(model.kind)} model`);
  return scorer(model);
}

/** The model kinds there is a scorer for. */
export const scorerKinds: readonly string[] = Object.keys(scorers);
