import { throwIfAborted, yieldToEventLoop } from "./abort.js";

/** A smooth objective: value and gradient at a point (computed here or, awaited, on other threads). */
export type Objective = (x: Float64Array) => ObjectiveValue | Promise<ObjectiveValue>;

/** The value and gradient of an objective at a point. */
export interface ObjectiveValue {
  loss: number;
  grad: Float64Array;
}

export interface LbfgsOptions {
  maxIter: number;
  /** Converged when the largest gradient component is at most this. */
  tol: number;
  /**
   * Converged when an iteration lowers the value by at most ftol · max(|f|, ftolFloor) (scipy's
   * L-BFGS-B rule with its floor of 1 scaled to the objective). Default: only a decrease below
   * 1e-12 of the value, which means no progress at this precision.
   */
  ftol?: number;
  ftolFloor?: number;
  /** Number of correction pairs kept (scipy's default is 10). */
  memory?: number;
  signal?: AbortSignal;
  onIteration?: (iteration: number, loss: number) => void;
}

export interface LbfgsResult {
  x: Float64Array;
  loss: number;
  iterations: number;
  converged: boolean;
  /** Objective value after each iteration (index 0 is the starting point). */
  history: number[];
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

/**
 * Minimises a smooth function with limited-memory BFGS and a backtracking Armijo line search.
 * Deterministic: no randomness, so the result depends only on the objective and the start point.
 * It stops early when the line search can no longer decrease the value (float32 objectives hit
 * that floor before scipy's tolerances would).
 */
export async function minimizeLbfgs(
  f: Objective,
  x0: Float64Array,
  opts: LbfgsOptions,
): Promise<LbfgsResult> {
  const m = opts.memory ?? 10;
  const ftol = opts.ftol ?? 1e-12;
  const ftolFloor = opts.ftolFloor ?? 1;
  const p = x0.length;
  let x = Float64Array.from(x0);
  let { loss, grad } = await f(x);
  const history = [loss];
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const rho: number[] = [];
  let converged = maxAbs(grad) <= opts.tol;
  let iter = 0;
  while (!converged && iter < opts.maxIter) {
    throwIfAborted(opts.signal);
    // Two-loop recursion: d = -H·g.
    const q = Float64Array.from(grad);
    const alpha = new Array<number>(S.length);
    for (let i = S.length - 1; i >= 0; i--) {
      alpha[i] = rho[i] * dot(S[i], q);
      for (let k = 0; k < p; k++) q[k] -= alpha[i] * Y[i][k];
    }
    if (S.length > 0) {
      const last = S.length - 1;
      const gamma = dot(S[last], Y[last]) / dot(Y[last], Y[last]);
      for (let k = 0; k < p; k++) q[k] *= gamma;
    }
    for (let i = 0; i < S.length; i++) {
      const beta = rho[i] * dot(Y[i], q);
      for (let k = 0; k < p; k++) q[k] += S[i][k] * (alpha[i] - beta);
    }
    const d = q.map((v) => -v);
    let slope = dot(grad, d);
    if (!(slope < 0)) {
      // Not a descent direction (curvature pairs went stale): restart from steepest descent.
      S.length = Y.length = rho.length = 0;
      for (let k = 0; k < p; k++) d[k] = -grad[k];
      slope = dot(grad, d);
    }
    let t = S.length === 0 ? Math.min(1, 1 / Math.max(1e-12, Math.sqrt(-slope))) : 1;
    let next: ObjectiveValue | undefined;
    let xNew = x;
    for (let tries = 0; tries < 30; tries++) {
      xNew = new Float64Array(p);
      for (let k = 0; k < p; k++) xNew[k] = x[k] + t * d[k];
      const trial = await f(xNew);
      if (Number.isFinite(trial.loss) && trial.loss <= loss + 1e-4 * t * slope) {
        next = trial;
        break;
      }
      t *= 0.5;
    }
    iter++;
    if (!next) break; // no decrease possible at this precision: as good as it gets
    const s = new Float64Array(p);
    const y = new Float64Array(p);
    for (let k = 0; k < p; k++) {
      s[k] = xNew[k] - x[k];
      y[k] = next.grad[k] - grad[k];
    }
    const sy = dot(s, y);
    if (sy > 1e-12 * dot(y, y)) {
      S.push(s);
      Y.push(y);
      rho.push(1 / sy);
      if (S.length > m) {
        S.shift();
        Y.shift();
        rho.shift();
      }
    }
    const previous = loss;
    x = xNew;
    loss = next.loss;
    grad = next.grad;
    history.push(loss);
    opts.onIteration?.(iter, loss);
    converged = maxAbs(grad) <= opts.tol;
    if (!converged && previous - loss <= ftol * Math.max(Math.abs(previous), Math.abs(loss), ftolFloor)) {
      // A requested ftol is a convergence rule; the default floor only means no progress is left.
      converged = opts.ftol !== undefined;
      break;
    }
    if (iter % 10 === 0) await yieldToEventLoop();
  }
  return { x, loss, iterations: iter, converged, history };
}
