import { minimizeLbfgs } from "./lbfgs.js";
import { openLinearObjective } from "./linear-objective.js";
import type { PassData } from "./linear-pass.js";
import { openStreamedLinearObjective, type StreamedPassData } from "./streamed-linear-objective.js";
import type { HistoryPoint, TrainInput } from "./types.js";

/** A fitted linear model's weights (p×k row-major, intercept last) and how the fit went. */
export interface LinearFit {
  weights: number[];
  history: HistoryPoint[];
  iterations: number;
  /** Threads that summed the data term. */
  threads: number;
}

/**
 * Fits W (p×k row-major, intercept last) of mean loss + ½·penalty·‖W‖² by full-batch L-BFGS from
 * zeros, the data term in float64 JS over the feature columns (on worker threads when the problem
 * is large), or over rows streamed from DuckDB a block at a time (`StreamedPassData`). Stops like scikit-learn's L-BFGS-B: when the largest gradient component is at most
 * `tol`, or an iteration lowers the objective by at most 2.2e-9 of it (scipy's default `ftol`, on
 * the summed loss scikit-learn minimises). Reports progress per iteration and stops on `input.signal`.
 */
export async function fitLinear(
  data: PassData | StreamedPassData,
  penalty: number,
  opts: { maxIter: number; tol: number },
  input: Pick<TrainInput, "signal" | "onProgress">,
): Promise<LinearFit> {
  // Rows streamed from DuckDB (over the memory budget) or in memory: the same objective bit for bit.
  const streamed = "data" in data;
  const p = (streamed ? data.data.names.length : data.columns.length) + 1;
  const n = streamed ? data.data.n : data.n;
  const linear = streamed ? openStreamedLinearObjective(data, penalty, input.signal) : await openLinearObjective(data, penalty);
  try {
    const result = await minimizeLbfgs(linear.objective, new Float64Array(p * data.k), {
      maxIter: opts.maxIter,
      tol: opts.tol,
      ftol: SCIPY_FTOL,
      // scikit-learn's objective is the sum over rows: its max(|f|, 1) is max(|mean|, 1/n) here.
      ftolFloor: 1 / n,
      signal: input.signal,
      onIteration: (step, loss) => input.onProgress?.({ step, total: opts.maxIter, unit: "iteration", loss }),
    });
    return { weights: Array.from(result.x), history: result.history.map((loss, step) => ({ step, loss })), iterations: result.iterations, threads: linear.threads };
  } finally {
    await linear.close();
  }
}

/** scipy's L-BFGS-B default `ftol` (factr 1e7 × machine epsilon), which scikit-learn leaves as it is. */
const SCIPY_FTOL = 1e7 * Number.EPSILON;
