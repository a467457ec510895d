import type { Objective } from "./lbfgs.js";
import { tf } from "./tf-backend.js";

/**
 * Per-row loss of a linear model's scores `z` (n×k): returns the mean loss and its gradient with
 * respect to `z` (already divided by n).
 */
export type ScoreLoss = (z: tf.Tensor2D) => { loss: tf.Scalar; dz: tf.Tensor2D };

/**
 * The L2-penalised objective of a linear model over a row-major design matrix `x` (n×p, last
 * column ones): random Fourier features, whose width suits the backend's matrix products.
 * The parameter vector is W row-major p×k; its last row is the intercept, which is not penalised
 * (unlike liblinear, so the fit does not depend on the feature scale of a constant).
 * The data term runs on the tfjs backend; the penalty in float64 in JS.
 */
export function linearObjective(x: tf.Tensor2D, k: number, penalty: number, lossOf: ScoreLoss): Objective {
  const p = x.shape[1];
  const penalised = (p - 1) * k;
  return (w: Float64Array) => {
    const [lossT, gradT] = tf.tidy(() => {
      const wT = tf.tensor2d(Float32Array.from(w), [p, k]);
      const { loss, dz } = lossOf(tf.matMul(x, wT));
      return [loss, tf.matMul(x, dz, true, false)];
    });
    const data = lossT.dataSync()[0];
    const grad = Float64Array.from(gradT.dataSync());
    lossT.dispose();
    gradT.dispose();
    let reg = 0;
    for (let i = 0; i < penalised; i++) {
      reg += w[i] * w[i];
      grad[i] += penalty * w[i];
    }
    return { loss: data + 0.5 * penalty * reg, grad };
  };
}

/**
 * Per-row loss on float64 scores `z` (n×k row-major): returns the mean loss and writes its
 * gradient with respect to `z` (already divided by n) into `dz`.
 */
export type ScoreLossJs = (z: Float64Array, dz: Float64Array) => number;

/**
 * The same objective as `linearObjective`, in plain JS float64 over row-major rows (n×p, last
 * column ones). Below a few hundred thousand multiply-adds per pass this beats the tfjs backend,
 * whose fixed cost per op dominates small problems.
 */
export function linearObjectiveJs(rows: Float32Array, n: number, p: number, k: number, penalty: number, lossOf: ScoreLossJs): Objective {
  const z = new Float64Array(n * k);
  const dz = new Float64Array(n * k);
  const penalised = (p - 1) * k;
  return (w: Float64Array) => {
    z.fill(0);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < p; j++) {
        const v = rows[i * p + j];
        for (let c = 0; c < k; c++) z[i * k + c] += v * w[j * k + c];
      }
    }
    let loss = lossOf(z, dz);
    const grad = new Float64Array(p * k);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < p; j++) {
        const v = rows[i * p + j];
        for (let c = 0; c < k; c++) grad[j * k + c] += v * dz[i * k + c];
      }
    }
    let reg = 0;
    for (let i = 0; i < penalised; i++) {
      reg += w[i] * w[i];
      grad[i] += penalty * w[i];
    }
    loss += 0.5 * penalty * reg;
    return { loss, grad };
  };
}

/** Whether a linear fit of this size is faster in plain JS than on the tfjs backend. */
export function preferJs(n: number, p: number, k: number): boolean {
  return n * p * k <= 500_000;
}
