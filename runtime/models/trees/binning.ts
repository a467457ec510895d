/**
 * Feature quantisation for histogram split finding. Each feature is cut once, on the training
 * data, into at most `max_bins` value bins plus one bin for missing values (NaN): one bin per
 * distinct value when there are few enough (exact splits), else quantile bins. Cells are stored
 * as one byte when every feature has at most 255 value bins, two bytes otherwise. A value x falls
 * in the first bin i with x <= edges[i] (the last value bin holds the rest); a feature's missing
 * bin comes right after its last value bin. Each bin also keeps the smallest and largest training
 * value in it, so a split can put its threshold midway between the values on either side of the
 * cut (see tree-builder.ts).
 */
import { nativeBinning } from "../native-engine.js";
import { SortScratch, sortFloats } from "./sort-floats.js";

/** The most value bins a feature can have (two bytes per cell, minus the missing bin). */
export const MAX_VALUE_BINS = 65535;
/** Value bins that still fit one byte per cell next to the missing bin. */
export const BYTE_VALUE_BINS = 255;

/** One cell per row and feature: bytes when every feature has ≤ 255 value bins, else 16-bit. */
export type BinArray = Uint8Array | Uint16Array;

/** A quantised design matrix: `bins[j * n + i]` is the bin of feature j in row i. */
export interface BinnedMatrix {
  n: number;
  features: number;
  bins: BinArray;
  /** Per feature, the ascending thresholds between consecutive value bins. */
  edges: Float32Array[];
  /** Per feature and value bin, the smallest training value in it (NaN for an empty bin). */
  low: Float32Array[];
  /** Per feature and value bin, the largest training value in it (NaN for an empty bin). */
  high: Float32Array[];
}

/** The missing-value bin of a feature with these edges: right after its last value bin. */
export function missingBin(edges: Float32Array): number {
  return edges.length + 1;
}

/** Buffers `computeEdges` reuses from one column to the next: a column's values and the sort's keys. */
export class EdgeScratch {
  present = new Float32Array(0);
  readonly sort = new SortScratch();
}

/**
 * Ascending bin edges for one column: midpoints between distinct values when there are at most
 * `maxBins` of them, else (approximate) quantiles of the non-missing values. `scratch`: buffers
 * kept across columns (binning 20 columns of 140k rows allocated 34 MB of them, dead but counted
 * in RSS until a collection).
 */
export function computeEdges(column: Float32Array, maxBins: number, scratch: EdgeScratch = new EdgeScratch()): Float32Array {
  const bins = Math.max(2, Math.min(MAX_VALUE_BINS, Math.floor(maxBins)));
  const native = binningKernels();
  if (native) {
    const out = new Float32Array(bins);
    return out.slice(0, native.edges(column, bins, out));
  }
  return computeEdgesJs(column, bins, scratch);
}

let kernels: ReturnType<typeof nativeBinning> | null | undefined;
/** The native binning (native/boosting-steps.cc) when built and LATHE_KERNELS is not `js`, looked up once. */
function binningKernels(): ReturnType<typeof nativeBinning> | null {
  if (kernels === undefined) kernels = nativeBinning() ?? null;
  return kernels;
}

/** computeEdges in JavaScript for `bins` (2..65535) value bins: the fallback, and the reference of the native one. */
export function computeEdgesJs(column: Float32Array, bins: number, scratch: EdgeScratch = new EdgeScratch()): Float32Array {
  if (scratch.present.length < column.length) scratch.present = new Float32Array(column.length);
  const present = scratch.present;
  // A plain loop: TypedArray.filter with a callback is several times slower here.
  let m = 0;
  for (let i = 0; i < column.length; i++) {
    const v = column[i];
    if (v === v) present[m++] = v;
  }
  const sorted = sortFloats(present.subarray(0, m), scratch.sort);
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
  if (x !== x) return missingBin(edges);
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
export function binInto(column: Float32Array, edges: Float32Array, out: BinArray): void {
  const count = edges.length;
  const missing = missingBin(edges);
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
  const start = new Int32Array(GRID);
  for (let c = 0; c < GRID; c++) start[c] = binOf(lo + c / scale, edges);
  for (let i = 0; i < column.length; i++) {
    const x = column[i];
    if (x !== x) {
      out[i] = missing;
      continue;
    }
    let b = start[Math.min(GRID - 1, Math.floor((x - lo) * scale))];
    while (b > 0 && x <= edges[b - 1]) b--;
    while (b < count && x > edges[b]) b++;
    out[i] = b;
  }
}

/**
 * Bins a column into `out` (as `binInto`) and gives each value bin's smallest and largest value (as
 * `binRanges`): in one native pass when the module is built.
 */
export function binColumn(column: Float32Array, edges: Float32Array, out: BinArray): { low: Float32Array; high: Float32Array } {
  const native = binningKernels();
  if (!native) {
    binInto(column, edges, out);
    return binRanges(column, out, edges.length + 1);
  }
  const low = new Float32Array(edges.length + 1);
  const high = new Float32Array(edges.length + 1);
  native.binColumn(column, edges, out, low, high);
  return { low, high };
}

/** Smallest and largest value of each value bin over the column (NaN where a bin is empty). */
export function binRanges(column: Float32Array, bins: BinArray, valueBins: number): { low: Float32Array; high: Float32Array } {
  const low = new Float32Array(valueBins).fill(NaN);
  const high = new Float32Array(valueBins).fill(NaN);
  for (let i = 0; i < column.length; i++) {
    const b = bins[i];
    if (b >= valueBins) continue;
    const x = column[i];
    // NaN compares false, so the first value of a bin always lands.
    if (!(x >= low[b])) low[b] = x;
    if (!(x <= high[b])) high[b] = x;
  }
  return { low, high };
}

/**
 * Quantises every column into one buffer (bytes or 16-bit cells). `shared` puts the bins in a
 * SharedArrayBuffer so worker threads can read them without a copy.
 */
export function binColumns(columns: Float32Array[], n: number, maxBins: number, shared = false): BinnedMatrix {
  const features = columns.length;
  const edges: Float32Array[] = [];
  let widest = 0;
  const scratch = new EdgeScratch();
  for (let j = 0; j < features; j++) {
    const column = columns[j];
    if (column.length !== n) throw new Error(`feature ${j} has ${column.length} rows, expected ${n}`);
    const e = computeEdges(column, maxBins, scratch);
    edges.push(e);
    widest = Math.max(widest, e.length + 1);
  }
  const bytes = widest <= BYTE_VALUE_BINS ? 1 : 2;
  const buffer = shared ? new SharedArrayBuffer(n * features * bytes) : new ArrayBuffer(n * features * bytes);
  const bins: BinArray = bytes === 1 ? new Uint8Array(buffer) : new Uint16Array(buffer);
  const low: Float32Array[] = [];
  const high: Float32Array[] = [];
  for (let j = 0; j < features; j++) {
    const cells = bins.subarray(j * n, (j + 1) * n);
    const r = binColumn(columns[j], edges[j], cells);
    low.push(r.low);
    high.push(r.high);
  }
  return { n, features, bins, edges, low, high };
}
