import { own } from "../../language/lookup.js";
import type { Learner } from "./types.js";

/**
 * Each learner's module by its language name, imported on first use: a run that trains a logistic
 * regression does not load the trees, the SVMs or the MLP. The same learners as `registry.ts`
 * (`learners`, which loads them all for code that decodes any model); a test keeps the two equal.
 */
const learnerModules: Record<string, () => Promise<Learner>> = {
  logistic_regression: async () => (await import("./logistic-regression.js")).logisticRegression,
  linear_regression: async () => (await import("./linear-regression.js")).linearRegression,
  svm: async () => (await import("./svm.js")).svm,
  neural_network: async () => (await import("./neural-network.js")).neuralNetwork,
  decision_tree: async () => (await import("./trees/decision-tree.js")).decisionTree,
  random_forest: async () => (await import("./trees/random-forest.js")).randomForest,
  gradient_boosting: async () => (await import("./trees/gradient-boosting.js")).gradientBoosting,
};

/** The names `loadLearner` knows. */
export const learnerNames: readonly string[] = Object.keys(learnerModules);

/** The learner for a language name, loading its module only; undefined for an unknown name. */
export async function loadLearner(name: string): Promise<Learner | undefined> {
  return own(learnerModules, name)?.();
}
