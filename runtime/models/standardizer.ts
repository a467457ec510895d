import type { Matrix } from "./types.js";

/** Per-feature mean and standard deviation learned on the training rows and shipped with the model. */
export interface Standardizer {
  mean: number[];
  std: number[];
}

/**
 * The columns of `x` in the order the model was trained on. Columns are matched by name when the
 * matrix carries names, so a reordered table cannot silently feed the wrong feature.
 */
export function orderedColumns(x: Matrix, featureNames: string[]): Float32Array[] {
  if (x.names.length === 0 || x.names.every((n, j) => n === featureNames[j])) {
    if (x.columns.length !== featureNames.length) {
      throw new Error(`expected ${featureNames.length} feature columns, got ${x.columns.length}`);
    }
    return x.columns;
  }
  return featureNames.map((name) => {
    const j = x.names.indexOf(name);
    if (j < 0) throw new Error(`feature column "${name}" is missing`);
    return x.columns[j];
  });
}

/** Learns mean and std per column; a constant column gets std 1 so it maps to zero, not NaN. */
export function fitStandardizer(x: Matrix): Standardizer {
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

/**
 * Standardised rows, row-major n×(d+extra): the layout tensors want. `bias` appends a column of
 * ones so an intercept rides along in the same matrix product.
 */
export function standardizedRows(
  x: Matrix,
  featureNames: string[],
  s: Standardizer,
  bias = false,
): Float32Array {
  const cols = orderedColumns(x, featureNames);
  const d = cols.length;
  const p = d + (bias ? 1 : 0);
  const out = new Float32Array(x.n * p);
  for (let j = 0; j < d; j++) {
    const col = cols[j];
    const m = s.mean[j];
    const inv = 1 / s.std[j];
    for (let i = 0; i < x.n; i++) out[i * p + j] = (col[i] - m) * inv;
  }
  if (bias) for (let i = 0; i < x.n; i++) out[i * p + d] = 1;
  return out;
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
