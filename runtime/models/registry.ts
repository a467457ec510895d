import type { Learner } from "./types.js";
import { linearRegression } from "./linear-regression.js";
import { logisticRegression } from "./logistic-regression.js";
import { neuralNetwork } from "./neural-network.js";
import { svm } from "./svm.js";
import { decisionTree } from "./trees/decision-tree.js";
import { gradientBoosting } from "./trees/gradient-boosting.js";
import { randomForest } from "./trees/random-forest.js";
import { own } from "../../language/lookup.js";

/**
 * Every algorithm the language can name, keyed by its language name (`random_forest`).
 * Each learner lives in its own file and adds one line here.
 */
export const learners: Record<string, Learner> = {
  [logisticRegression.name]: logisticRegression,
  [linearRegression.name]: linearRegression,
  [svm.name]: svm,
  [neuralNetwork.name]: neuralNetwork,
  [decisionTree.name]: decisionTree,
  [randomForest.name]: randomForest,
  [gradientBoosting.name]: gradientBoosting,
};

/** The learner for a language name, or undefined. */
export function findLearner(name: string): Learner | undefined {
  return own(learners, name);
}
