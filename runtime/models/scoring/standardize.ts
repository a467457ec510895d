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
  for (let j = 0; j < d; j++) {
    const col = cols[j];
    const m = s.mean[j];
    const inv = 1 / s.std[j];
    for (let i = 0; i < x.n; i++) out[i * p + j] = (col[i] - m) * inv;
  }
  if (bias) for (let i = 0; i < x.n; i++) out[i * p + d] = 1;
  return out;
}
