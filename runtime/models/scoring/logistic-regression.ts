import type { Matrix, Scorer, SerializedModel } from "../types.js";
import { argmaxRows, linearScores, scoreProbabilities } from "./linear-scores.js";
import type { Standardizer } from "./standardize.js";

/** What a logistic regression's state holds for scoring. */
export interface LogisticWeights {
  standardizer: Standardizer;
  /** p×k row-major, last row the intercept; k = 1 (sigmoid) for two classes, else one column per class. */
  weights: ArrayLike<number>;
  k: number;
}

/** Scores a logistic regression: class probabilities from the linear scores, the class the most probable. */
export function logisticScorer(model: SerializedModel): Scorer {
  const { k, weights, standardizer } = model.state as LogisticWeights;
  const { featureNames, classes } = model;
  const proba = (x: Matrix): Float32Array => scoreProbabilities(linearScores(x, featureNames, standardizer, weights, k), x.n, k);
  return {
    predict: (x) => argmaxRows(proba(x), x.n, classes.length),
    predictProba: proba,
    predictWithProba: (x) => {
      const probabilities = proba(x);
      return { predictions: argmaxRows(probabilities, x.n, classes.length), probabilities };
    },
  };
}
