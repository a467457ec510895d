/**
 * The learners that take missing feature values: the tree learners bin a missing value (NULL, or
 * NaN) into a bin of its own and send it, at each split, to the side that gained most in training
 * (the side with more training rows where the split saw none; scikit-learn's HistGradientBoosting and its trees since 1.3 do the same). The others have no
 * place for one and refuse it with the column, the dataset and the count. A module of its own, with
 * no imports: the predictor (and so an exported folder) reads it without loading a learner.
 * language/catalog.ts says the same per algorithm (`missing`); a test keeps the two equal.
 */
const takers = ["decision_tree", "random_forest", "gradient_boosting"];
const takerSet: ReadonlySet<string> = new Set(takers);

/** Whether a model of `algorithm` takes missing feature values (NULL or NaN) in training and when it predicts. */
export function takesMissing(algorithm: string): boolean {
  return takerSet.has(algorithm);
}

/** Those learners in words, for the error that refuses a missing value: "decision_tree, random_forest and gradient_boosting". */
export const missingTakers = `${takers.slice(0, -1).join(", ")} and ${takers.at(-1)}`;
