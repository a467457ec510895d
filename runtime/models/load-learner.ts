import type { Learner } from "./types.js";

/**
 * Each algorithm's learner module, imported on its own: training a model loads its learner's code
 * only, not the registry's seven (≈ 20–50 ms of module loading inside a train step). The same
 * learners as `registry.ts` (a test keeps the two lists equal).
 */
const modules: Record<string, () => Promise<Learner>> = {
  logistic_regression: async () => (await import("./logistic-regression.js")).logisticRegression,
  linear_regression: async () => (await import("./linear-regression.js")).linearRegression,
  svm: async () => (await import("./svm.js")).svm,
  neural_network: async () => (await import("./neural-network.js")).neuralNetwork,
  decision_tree: async () => (await import("./trees/decision-tree.js")).decisionTree,
  random_forest: async () => (await import("./trees/random-forest.js")).randomForest,
  gradient_boosting: async () => (await import("./trees/gradient-boosting.js")).gradientBoosting,
};

/** The names loadLearner knows. */
export const loadableLearners = Object.keys(modules);

/** The learner of a language name (`random_forest`), its module imported on first use; undefined for an unknown name. */
export async function loadLearner(name: string): Promise<Learner | undefined> {
  return Object.hasOwn(modules, name) ? modules[name]() : undefined;
}
