import { minimizeLbfgs, type Objective } from "./lbfgs.js";
import { linearObjective, linearObjectiveJs, preferJs, type ScoreLoss, type ScoreLossJs } from "./rows-objective.js";
import { tf } from "./tf-backend.js";
import type { HistoryPoint, TrainInput } from "./types.js";

/** A penalised linear fit over a row-major design (random Fourier features): the design, the targets and the loss, in both of its forms. */
export interface RowsProblem {
  /** Row-major design n×p, last column ones. */
  rows: Float32Array;
  n: number;
  p: number;
  /** Number of score columns. */
  k: number;
  /** Row-major n×k targets, as `loss` reads them. */
  target: Float32Array;
  /** L2 weight on the coefficients (not the intercept), relative to the mean data loss. */
  penalty: number;
  /** The data loss on the tfjs backend, given `target` as a tensor. */
  loss: (target: tf.Tensor2D) => ScoreLoss;
  /** The same loss in float64 JS, used when the problem is small. */
  lossJs: ScoreLossJs;
}

/**
 * Fits W (p×k row-major, intercept last) over a row-major design by full-batch L-BFGS from zeros,
 * the data term in JS float64 when the problem is small enough that backend call overhead would
 * dominate, else on the tfjs backend, whose matrix products win on the wide designs of random
 * Fourier features (`fit-linear.ts` fits plain features). Reports progress per iteration and stops
 * on `input.signal`.
 */
export async function fitRows(
  problem: RowsProblem,
  opts: { maxIter: number; tol: number },
  input: Pick<TrainInput, "signal" | "onProgress">,
): Promise<{ weights: number[]; history: HistoryPoint[] }> {
  const { rows, n, p, k, penalty } = problem;
  const tensors: tf.Tensor[] = [];
  try {
    let objective: Objective;
    if (preferJs(n, p, k)) {
      objective = linearObjectiveJs(rows, n, p, k, penalty, problem.lossJs);
    } else {
      const design = tf.tensor2d(rows, [n, p]);
      const target = tf.tensor2d(problem.target, [n, k]);
      tensors.push(design, target);
      objective = linearObjective(design, k, penalty, problem.loss(target));
    }
    const result = await minimizeLbfgs(objective, new Float64Array(p * k), {
      maxIter: opts.maxIter,
      tol: opts.tol,
      signal: input.signal,
      onIteration: (step, loss) => input.onProgress?.({ step, total: opts.maxIter, unit: "iteration", loss }),
    });
    return { weights: Array.from(result.x), history: result.history.map((loss, step) => ({ step, loss })) };
  } finally {
    tf.dispose(tensors);
  }
}
