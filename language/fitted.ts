import { assertNever } from "./assert-never.js";
import type { PrepareStep } from "./ast.js";

/**
 * The "learns from data" rule, in one place: a step is *fitted* when what it does to a row depends
 * on statistics of other rows (a median, a vocabulary, a mean and spread, quantiles). Fitted steps
 * are learned on the training part only and shipped with the model; the checker's
 * `fitted-before-split` warning and the planner's cut between steps run before and after a split
 * both ask this function. A fill with a constant learns nothing, so it is not fitted.
 */
export function isFitted(step: PrepareStep): boolean {
  switch (step.kind) {
    case "fill":
      return step.strategy !== "value";
    case "onehot":
    case "scale":
    case "bucket":
      return true;
    case "drop-rows":
    case "keep-rows":
    case "drop-duplicates":
    case "drop-columns":
    case "keep-columns":
    case "replace":
    case "clip":
    case "derive":
    case "cast":
    case "text":
    case "rename":
      return false;
    default:
      return assertNever(step, "prepare step");
  }
}
