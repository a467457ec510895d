import type { Scorer, SerializedModel } from "../types.js";
import { linearScores } from "./linear-scores.js";
import type { Standardizer } from "./standardize.js";

/** What a linear regression's state holds for scoring. */
export interface LinearWeights {
  standardizer: Standardizer;
  /** Coefficients on standardised features, then the intercept. */
  weights: ArrayLike<number>;
}

/** Scores a linear regression: the linear score is the prediction. */
export function linearRegressionScorer(model: SerializedModel): Scorer {
  const { standardizer, weights } = model.state as LinearWeights;
  const { featureNames } = model;
  return { predict: (x) => Float32Array.from(linearScores(x, featureNames, standardizer, weights, 1)) };
}
