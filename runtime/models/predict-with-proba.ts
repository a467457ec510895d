import type { Matrix, Scorer } from "./types.js";

/**
 * Predictions and, for a classifier that gives them, its class probabilities, from one pass where the
 * learner can (`predictWithProba`: a forest walks its trees once, not once for each).
 */
export function predictWithProba(model: Scorer, x: Matrix, classification: boolean): { predictions: Float32Array; probabilities?: Float32Array } {
  if (!classification) return { predictions: model.predict(x) };
  const both = model.predictWithProba?.(x);
  if (both) return both;
  return { predictions: model.predict(x), probabilities: model.predictProba?.(x) };
}
