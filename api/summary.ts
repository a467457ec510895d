import { renderResult } from "../runtime/ops/index.js";
import type { StepResult } from "../runtime/results.js";

/** A short human line for a finished step's result, shared by the CLI and the kernel (the op's own renderer). */
export function resultSummary(r: StepResult | undefined): string {
  return r ? renderResult(r).summary : "";
}
