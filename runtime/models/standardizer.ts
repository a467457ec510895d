import { nativeLinear } from "./native-engine.js";
import type { Standardizer } from "./scoring/standardize.js";
import type { Matrix, RowBlocks } from "./types.js";

/**
 * Learns mean and std per column; a constant column gets std 1 so it maps to zero, not NaN.
 * Summed in the native module when it is built (native/normal-equations.cc `moments`: the same
 * doubles, without a cold JavaScript pass over every value, which cost ≈ 30 ms at 140k × 20).
 */
export function fitStandardizer(x: Matrix): Standardizer {
  return fitStandardizerAndMean(x).standardizer;
}

/**
 * fitStandardizer, and with `y` the mean of y as well (a sequential float64 sum in row order, over
 * n): in the same native call as the features' sums, where a cold JavaScript loop over y cost ≈ 3 ms.
 */
export function fitStandardizerAndMean(x: Matrix, y?: Float32Array): { standardizer: Standardizer; yMean: number } {
  const native = nativeLinear();
  if (!native || x.n === 0 || x.columns.length === 0) return { standardizer: fitStandardizerJs(x), yMean: y ? meanJs(y, x.n) : NaN };
  const cols = y ? [...x.columns, y] : x.columns;
  const mean = new Float64Array(cols.length);
  const std = new Float64Array(cols.length);
  native.moments(cols, x.n, mean, std);
  const d = x.columns.length;
  return { standardizer: { mean: Array.from(mean.subarray(0, d)), std: Array.from(std.subarray(0, d), (sd) => (sd > 1e-12 ? sd : 1)) }, yMean: y ? mean[d] : NaN };
}

/** The mean of y's first n values, summed in row order. */
function meanJs(y: Float32Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += y[i];
  return s / n;
}

/** fitStandardizer in JavaScript: the fallback, and the reference of the native sums. */
export function fitStandardizerJs(x: Matrix): Standardizer {
  const mean: number[] = [];
  const std: number[] = [];
  for (const col of x.columns) {
    let s = 0;
    for (let i = 0; i < x.n; i++) s += col[i];
    const m = s / x.n;
    let v = 0;
    for (let i = 0; i < x.n; i++) v += (col[i] - m) * (col[i] - m);
    const sd = Math.sqrt(v / x.n);
    mean.push(m);
    std.push(sd > 1e-12 ? sd : 1);
  }
  return { mean, std };
}

/** Mean and std of a target vector, for learners that fit a standardised regression target. */
export function targetScale(y: Float32Array): { mean: number; std: number } {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += y[i];
  const mean = s / y.length;
  let v = 0;
  for (let i = 0; i < y.length; i++) v += (y[i] - mean) * (y[i] - mean);
  const std = Math.sqrt(v / y.length);
  return { mean, std: std > 1e-12 ? std : 1 };
}

/**
 * `fitStandardizer` of the features and `targetScale` of the targets of streamed rows, in two
 * passes (the sums, then the squared deviations from the means), adding row by row in the rows'
 * order as the in-memory functions do: the same constants bit for bit.
 */
export async function streamedMoments(data: RowBlocks, signal?: AbortSignal): Promise<{ standardizer: Standardizer; target: { mean: number; std: number } }> {
  const d = data.names.length;
  const rows = data.rowsPerBlock(1);
  const sums = new Float64Array(d + 1);
  const add = (x: Matrix, y: Float32Array, f: (v: number, j: number) => number) => {
    for (let j = 0; j <= d; j++) {
      const col = j < d ? x.columns[j] : y;
      let s = sums[j];
      for (let i = 0; i < x.n; i++) s += f(col[i], j);
      sums[j] = s;
    }
  };
  await data.forEach(rows, (x, y) => add(x, y, (v) => v), signal);
  const mean = Array.from(sums, (s) => s / data.n);
  sums.fill(0);
  await data.forEach(rows, (x, y) => add(x, y, (v, j) => (v - mean[j]) * (v - mean[j])), signal);
  const std = Array.from(sums, (v) => Math.sqrt(v / data.n));
  return {
    standardizer: { mean: mean.slice(0, d), std: std.slice(0, d).map((sd) => (sd > 1e-12 ? sd : 1)) },
    target: { mean: mean[d], std: std[d] > 1e-12 ? std[d] : 1 },
  };
}
