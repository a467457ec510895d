/**
 * Feature quantisation for histogram split finding. Each feature is cut once, on the training
 * data, into at most 255 value bins plus one bin for missing values (NaN), and stored as one byte
 * per cell. A value x falls in the first bin i with x <= edges[i] (the last bin holds the rest),
 * so a split "bin <= t" is exactly "x <= edges[t]" and prediction can compare raw values with
 * the stored thresholds without re-binning.
 */

/** The bin every NaN falls into; value bins are 0..edges.length. */
export const MISSING_BIN = 255;
/** The most value bins a feature can have (one byte, minus the missing bin). */
export const MAX_VALUE_BINS = 255;

/** A quantised design matrix: `bins[j * n + i]` is the bin of feature j in row i. */
export interface BinnedMatrix {
  n: number;
  features: number;
  bins: Uint8Array;
  /** Per feature, the ascending thresholds between consecutive value bins. */
  edges: Float32Array[];
}

/**
 * Ascending bin edges for one column: midpoints between distinct values when there are at most
 * `maxBins` of them, else (approximate) quantiles of the non-missing values.
 */
export function computeEdges(column: Float32Array, maxBins: number): Float32Array {
  const bins = Math.max(2, Math.min(MAX_VALUE_BINS, Math.floor(maxBins)));
  // A plain loop: TypedArray.filter with a callback is several times slower here.
  const present = new Float32Array(column.length);
  let m = 0;
  for (let i = 0; i < column.length; i++) {
    const v = column[i];
    if (v === v) present[m++] = v;
  }
  const sorted = present.subarray(0, m).sort();
  const edges: number[] = [];
  let distinct = m > 0 ? 1 : 0;
  for (let i = 1; i < m && distinct <= bins; i++) if (sorted[i] !== sorted[i - 1]) distinct++;
  if (distinct <= bins) {
    for (let i = 1; i < m; i++) {
      const a = sorted[i - 1];
      const b = sorted[i];
      if (a === b) continue;
      let mid = Math.fround(a / 2 + b / 2);
      // Rounding to float32 may land on b, which would put b in the lower bin.
      if (!(mid < b)) mid = a;
      if (Number.isFinite(mid)) edges.push(mid);
    }
  } else {
    const max = sorted[m - 1];
    for (let k = 1; k < bins; k++) {
      const v = sorted[Math.floor((k * m) / bins)];
      if (v < max && Number.isFinite(v) && (edges.length === 0 || v > edges[edges.length - 1])) edges.push(v);
    }
  }
  return Float32Array.from(edges);
}

/** The bin of value `x` given a feature's edges. */
export function binOf(x: number, edges: Float32Array): number {
  if (x !== x) return MISSING_BIN;
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x <= edges[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Cells of the lookup grid `binInto` uses to start each value near its bin. */
const GRID = 4096;

/**
 * Bins a whole column into `out`. A binary search per value mispredicts most of its branches,
 * so values are first mapped to a uniform grid over the column's range whose cells know the
 * bin of their lower end; a short walk from there (in either direction, so float rounding of
 * the cell index cannot give a wrong bin) finds the exact bin.
 */
function binInto(column: Float32Array, edges: Float32Array, out: Uint8Array): void {
  const count = edges.length;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < column.length; i++) {
    const x = column[i];
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  const scale = GRID / (hi - lo);
  // Filling the grid costs GRID searches, which only pays off on long columns.
  if (count === 0 || column.length < 4 * GRID || !(scale > 0 && scale < Infinity)) {
    for (let i = 0; i < column.length; i++) out[i] = binOf(column[i], edges);
    return;
  }
  const start = new Uint8Array(GRID);
  for (let c = 0; c < GRID; c++) start[c] = binOf(lo + c / scale, edges);
  for (let i = 0; i < column.length; i++) {
    const x = column[i];
    if (x !== x) {
      out[i] = MISSING_BIN;
      continue;
    }
    let b = start[Math.min(GRID - 1, Math.floor((x - lo) * scale))];
    while (b > 0 && x <= edges[b - 1]) b--;
    while (b < count && x > edges[b]) b++;
    out[i] = b;
  }
}

/**
 * Quantises every column into one byte-per-cell buffer. `shared` puts the bins in a
 * SharedArrayBuffer so worker threads can read them without a copy.
 */
export function binColumns(
  columns: Float32Array[],
  n: number,
  maxBins: number,
  shared = false,
): BinnedMatrix {
  const features = columns.length;
  const buffer = shared ? new SharedArrayBuffer(n * features) : new ArrayBuffer(n * features);
  const bins = new Uint8Array(buffer);
  const edges: Float32Array[] = [];
  for (let j = 0; j < features; j++) {
    const column = columns[j];
    if (column.length !== n) throw new Error(`feature ${j} has ${column.length} rows, expected ${n}`);
    const e = computeEdges(column, maxBins);
    edges.push(e);
    binInto(column, e, bins.subarray(j * n, (j + 1) * n));
  }
  return { n, features, bins, edges };
}
