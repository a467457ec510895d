import { coefficientImportance } from "./coefficient-importance.js";
import { nativeLinear } from "./native-engine.js";
import { numberParam } from "./params.js";
import { linearRegressionScorer } from "./scoring/linear-regression.js";
import { orderedColumns, type Standardizer } from "./scoring/standardize.js";
import { fitStandardizerAndMean, streamedMoments } from "./standardizer.js";
import type { Learner, ParamValue, SerializedModel, StreamedTrainInput, TrainedModel, TrainInput } from "./types.js";

interface LinearState {
  standardizer: Standardizer;
  /** Coefficients on standardised features, then the intercept. */
  weights: number[];
}

const defaults = { l2: 0 };

/** Solves the symmetric positive definite system A·w = b (A row-major d×d) by Cholesky; undefined if A is not positive definite. */
function choleskySolve(a: Float64Array, b: Float64Array, d: number): Float64Array | undefined {
  const l = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * d + j];
      for (let k = 0; k < j; k++) s -= l[i * d + k] * l[j * d + k];
      if (i === j) {
        if (!(s > 0)) return undefined;
        l[i * d + i] = Math.sqrt(s);
      } else {
        l[i * d + j] = s / l[j * d + j];
      }
    }
  }
  const z = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i * d + k] * z[k];
    z[i] = s / l[i * d + i];
  }
  const w = new Float64Array(d);
  for (let i = d - 1; i >= 0; i--) {
    let s = z[i];
    for (let k = i + 1; k < d; k++) s -= l[k * d + i] * w[k];
    w[i] = s / l[i * d + i];
  }
  return w;
}

/** Rows standardised at a time: a block of every feature (float64) stays in the core's cache. */
const BLOCK = 2048;

/**
 * Z'Z and Z'(y − ȳ) for the standardised features Z, in the native module when it is built
 * (native/normal-equations.cc: the same sums bit for bit, ≈ 10 ms for 140k × 20 rows where this
 * JavaScript, run once a fit and so mostly before V8 optimises it, took ≈ 190 ms of CPU).
 */
export function normalEquations(cols: Float32Array[], y: Float32Array, yMean: number, s: Standardizer): { gram: Float64Array; rhs: Float64Array } {
  const native = nativeLinear();
  if (!native) return normalEquationsJs(cols, y, yMean, s);
  const d = cols.length;
  const gram = new Float64Array(d * d);
  const rhs = new Float64Array(d);
  native.normalEquations(cols, y, Float64Array.from(s.mean), Float64Array.from(s.std), yMean, gram, rhs);
  return { gram, rhs };
}

/**
 * The JavaScript sum (the fallback, and the reference of the native one), read from the float32
 * columns a block of rows at a time: no standardised copy of the data (d float64 columns was 8·n·d
 * bytes). Each entry sums its block in its own accumulator, added to the entry block after block.
 */
export function normalEquationsJs(cols: Float32Array[], y: Float32Array, yMean: number, s: Standardizer): { gram: Float64Array; rhs: Float64Array } {
  const d = cols.length;
  const n = y.length;
  const gram = new Float64Array(d * d);
  const rhs = new Float64Array(d);
  const z = new Float64Array(d * BLOCK);
  for (let start = 0; start < n; start += BLOCK) {
    const rows = Math.min(BLOCK, n - start);
    for (let j = 0; j < d; j++) {
      const col = cols[j];
      const m = s.mean[j];
      const inv = 1 / s.std[j];
      for (let r = 0; r < rows; r++) z[j * BLOCK + r] = (col[start + r] - m) * inv;
    }
    for (let j = 0; j < d; j++) {
      const zj = j * BLOCK;
      let l = 0;
      // Four products per read of feature j's block.
      for (; l + 3 <= j; l += 4) {
        let a0 = 0;
        let a1 = 0;
        let a2 = 0;
        let a3 = 0;
        for (let r = 0; r < rows; r++) {
          const v = z[zj + r];
          a0 += v * z[l * BLOCK + r];
          a1 += v * z[(l + 1) * BLOCK + r];
          a2 += v * z[(l + 2) * BLOCK + r];
          a3 += v * z[(l + 3) * BLOCK + r];
        }
        gram[j * d + l] += a0;
        gram[j * d + l + 1] += a1;
        gram[j * d + l + 2] += a2;
        gram[j * d + l + 3] += a3;
      }
      for (; l <= j; l++) {
        let acc = 0;
        for (let r = 0; r < rows; r++) acc += z[zj + r] * z[l * BLOCK + r];
        gram[j * d + l] += acc;
      }
      let acc = 0;
      for (let r = 0; r < rows; r++) acc += z[j * BLOCK + r] * (y[start + r] - yMean);
      rhs[j] += acc;
    }
  }
  for (let j = 0; j < d; j++) for (let l = 0; l < j; l++) gram[l * d + j] = gram[j * d + l];
  return { gram, rhs };
}

/** The model from its normal equations: Cholesky with the ridge `l2`, raised while the system is not positive definite (exactly collinear features). */
function solved(gram: Float64Array, rhs: Float64Array, l2: number, n: number, standardizer: Standardizer, yMean: number, featureNames: string[], params: Record<string, ParamValue>): TrainedModel {
  const d = rhs.length;
  let w: Float64Array | undefined;
  for (let ridge = l2, tries = 0; !w && tries < 12; tries++, ridge = Math.max(ridge * 10, n * 1e-10)) {
    const a = Float64Array.from(gram);
    for (let j = 0; j < d; j++) a[j * d + j] += ridge;
    w = choleskySolve(a, rhs, d);
  }
  if (!w) throw new Error("linear_regression: the normal equations could not be solved");
  const state: LinearState = { standardizer, weights: [...w, yMean] };
  return build({ kind: "linear_regression", task: "regression", featureNames, classes: [], params, state });
}

function build(model: SerializedModel): TrainedModel {
  const { weights } = model.state as LinearState;
  const { featureNames } = model;
  return {
    kind: model.kind,
    task: "regression",
    featureNames,
    classes: [],
    predict: linearRegressionScorer(model).predict,
    importance: () => coefficientImportance(weights, featureNames.length, 1),
    toJSON: () => model,
  };
}

/**
 * Least-squares linear regression in closed form on standardised features (normal equations in
 * float64, Cholesky), with optional ridge penalty `l2`·‖w‖² on the standardised coefficients
 * (sklearn Ridge's alpha). Exactly collinear features with l2 = 0 get a vanishing ridge so the
 * solve stays defined. Deterministic; needs no tfjs backend.
 */
export const linearRegression: Learner = {
  name: "linear_regression",
  tasks: ["regression"],
  defaults,
  async train(input: TrainInput): Promise<TrainedModel> {
    if (input.task !== "regression") throw new Error("linear_regression only does regression");
    const params = { ...defaults, ...input.params };
    const l2 = numberParam(params, "l2", defaults.l2);
    if (l2 < 0) throw new Error("option l2 must be non-negative");
    const { x, y } = input;
    const n = x.n;
    const featureNames = x.names.length ? x.names : x.columns.map((_, j) => `x${j}`);
    const { standardizer, yMean } = fitStandardizerAndMean(x, y);
    const cols = orderedColumns(x, featureNames);
    const { gram, rhs } = normalEquations(cols, y, yMean, standardizer);
    return solved(gram, rhs, l2, n, standardizer, yMean, featureNames, params);
  },
  /**
   * The same fit on rows streamed from DuckDB: the normal equations are summed over the same
   * 2,048-row blocks in the same order (each block's sums added to the running totals as in
   * memory), so the model is the same bit for bit; memory holds one streamed block.
   */
  async trainStreamed(input: StreamedTrainInput): Promise<TrainedModel> {
    if (input.task !== "regression") throw new Error("linear_regression only does regression");
    const params = { ...defaults, ...input.params };
    const l2 = numberParam(params, "l2", defaults.l2);
    if (l2 < 0) throw new Error("option l2 must be non-negative");
    const { data } = input;
    const d = data.names.length;
    const { standardizer, target } = await streamedMoments(data, input.signal);
    const gram = new Float64Array(d * d);
    const rhs = new Float64Array(d);
    await data.forEach(
      data.rowsPerBlock(BLOCK),
      (x, y) => {
        for (let start = 0; start < x.n; start += BLOCK) {
          const end = Math.min(x.n, start + BLOCK);
          const block = normalEquations(x.columns.map((c) => c.subarray(start, end)), y.subarray(start, end), target.mean, standardizer);
          for (let j = 0; j < d; j++) for (let l = 0; l <= j; l++) gram[j * d + l] += block.gram[j * d + l];
          for (let j = 0; j < d; j++) rhs[j] += block.rhs[j];
        }
      },
      input.signal,
    );
    for (let j = 0; j < d; j++) for (let l = 0; l < j; l++) gram[l * d + j] = gram[j * d + l];
    const model = solved(gram, rhs, l2, data.n, standardizer, target.mean, data.names, params);
    return { ...model, method: "streamed" };
  },
  load: build,
  ignoresValidation: true,
};
