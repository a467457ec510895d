import type { Matrix } from "../types.js";

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
  standardizeInto(cols, s, 0, x.n, out, p);
  if (bias) for (let i = 0; i < x.n; i++) out[i * p + d] = 1;
  return out;
}

/**
 * Rows `from` to `from + m − 1` of `cols` standardised into `out` from its start, row-major with
 * `stride` values a row, each rounded to a float32 as training saw them (into a Float64Array too:
 * the MLP's forward pass standardises a block of rows at a time into one).
 */
export function standardizeInto(cols: Float32Array[], s: Standardizer, from: number, m: number, out: Float32Array | Float64Array, stride: number): void {
  for (let j = 0; j < cols.length; j++) {
    const col = cols[j];
    const mj = s.mean[j];
    const inv = 1 / s.std[j];
    for (let i = 0; i < m; i++) out[i * stride + j] = Math.fround((col[from + i] - mj) * inv);
  }
}
