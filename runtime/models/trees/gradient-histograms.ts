/**
 * The histogram pass of gradient boosting, the one loop that costs: per feature, per row of a
 * node, add the row's gradient and hessian (and 1) to the feature's bin. Every thread runs this
 * same code over its own features (histogram-threads.ts), so a feature's sums are added in the
 * same order whichever thread builds it and the model does not depend on the thread count.
 *
 * Layout of a node's histograms: one Float64Array, feature j's bins from `histOffset[j]`, each
 * bin [Σ gradient, Σ hessian, rows] (STRIDE 3), the missing-value bin last.
 *
 * The pass runs in the native module (native/histograms.cc) when it is built, else in the
 * JavaScript below; both add the same float64 terms to each bin in the same order, so the
 * histograms — and the model — are the same bit for bit on either engine
 * (test/runtime/models/trees/gradient-histograms.test.ts).
 */

import { nativeBoosting, type NativeBoostingModule } from "../native-engine.js";
import type { BinnedMatrix } from "./binning.js";

/** Per bin: gradient sum, hessian sum (left at 0 when hessians are constant), rows. */
export const STRIDE = 3;

/** What the pass reads; in shared memory when threads share the work. */
export interface HistogramData {
  n: number;
  features: number;
  /** bins[j * n + i]: the bin of feature j in row i. */
  bins: Uint8Array;
  /** Where feature j's histogram starts; histOffset[features] is the total length. */
  histOffset: Int32Array;
  /** The row index buffer the tree partitions: a node's rows are idx[start, end). */
  idx: Int32Array;
  /** Gradients and hessians, class-major (class k's at k·n); hessians empty when constant. */
  g: Float32Array;
  h: Float32Array;
  /** A node's gradients and hessians gathered into node order (at the same positions as idx). */
  og: Float32Array;
  oh: Float32Array;
  /** The root's row counts per bin (the same every iteration), in histogram layout. */
  rootCounts: Float64Array;
}

/** Which histograms to build: the root's (all rows, class gradients at `gOffset`) or a node's (gathered). */
export interface HistogramRequest {
  start: number;
  end: number;
  root: boolean;
  gOffset: number;
  constantHessian: boolean;
}

let engine: NativeBoostingModule | null | undefined;
/** The native pass's request, reused: [j0, j1, start, end, root, gOffset, constantHessian, threads]. */
const request = new Float64Array(8);

/** The native kernels when the module is built (and LATHE_KERNELS is not `js`), looked up once per thread. */
export function boostingKernels(): NativeBoostingModule | null {
  if (engine === undefined) engine = nativeBoosting() ?? null;
  return engine;
}

/** Which engine builds the histograms in this thread: `native` or `js`. */
export function histogramEngine(): "native" | "js" {
  return boostingKernels() ? "native" : "js";
}

/**
 * Builds the histograms of features [j0, j1) for the request into zeroed `hist`, on the native pass
 * when built (there over up to `threads` of the module's threads; the same sums for any number).
 */
export function buildHistograms(d: HistogramData, hist: Float64Array, j0: number, j1: number, r: HistogramRequest, threads = 1): void {
  const mod = boostingKernels();
  if (!mod) return buildHistogramsJs(d, hist, j0, j1, r);
  request[0] = j0;
  request[1] = j1;
  request[2] = r.start;
  request[3] = r.end;
  request[4] = r.root ? 1 : 0;
  request[5] = r.gOffset;
  request[6] = r.constantHessian ? 1 : 0;
  request[7] = threads;
  mod.histograms(d.bins, d.n, d.histOffset, d.idx, d.g, d.h, d.og, d.oh, d.rootCounts, hist, request);
}

/** `parent -= child`, element by element: the larger child's histograms from the parent's and the smaller child's. */
export function subtractHistograms(parent: Float64Array, child: Float64Array): void {
  const mod = boostingKernels();
  if (mod) return mod.subtract(parent, child);
  for (let q = 0; q < parent.length; q++) parent[q] -= child[q];
}

/** The JavaScript pass (the fallback, and the reference the native one is tested against). */
export function buildHistogramsJs(d: HistogramData, hist: Float64Array, j0: number, j1: number, r: HistogramRequest): void {
  const { n, bins, histOffset: at } = d;
  let j = j0;
  if (r.root) {
    hist.set(d.rootCounts.subarray(at[j0], at[j1]), at[j0]);
    const g = d.g.subarray(r.gOffset, r.gOffset + n);
    const h = r.constantHessian ? g : d.h.subarray(r.gOffset, r.gOffset + n);
    for (; j + 4 <= j1; j += 4) rootFour(bins, j * n, n, hist, at[j], at[j + 1], at[j + 2], at[j + 3], g, h, r.constantHessian);
    for (; j < j1; j++) rootFeature(bins, j * n, n, hist, at[j], g, h, r.constantHessian);
    return;
  }
  // Four features a pass: the row index and gradients are read once for the four.
  for (; j + 4 <= j1; j += 4) nodeFour(bins, j * n, n, d.idx, r.start, r.end, hist, at[j], at[j + 1], at[j + 2], at[j + 3], d.og, d.oh, r.constantHessian);
  for (; j < j1; j++) nodeFeature(bins, j * n, d.idx, r.start, r.end, hist, at[j], d.og, d.oh, r.constantHessian);
}

/** One feature over all rows (the root: rows in order, counts already in place). */
function rootFeature(bins: Uint8Array, offset: number, n: number, hist: Float64Array, base: number, g: Float32Array, h: Float32Array, constant: boolean): void {
  if (constant) {
    for (let i = 0; i < n; i++) hist[base + bins[offset + i] * STRIDE] += g[i];
    return;
  }
  for (let i = 0; i < n; i++) {
    const k = base + bins[offset + i] * STRIDE;
    hist[k] += g[i];
    hist[k + 1] += h[i];
  }
}

/** Four consecutive features (from bins[offset], histograms at a..d) over all rows. */
function rootFour(bins: Uint8Array, offset: number, n: number, hist: Float64Array, a: number, b: number, c: number, d: number, g: Float32Array, h: Float32Array, constant: boolean): void {
  const o1 = offset + n;
  const o2 = o1 + n;
  const o3 = o2 + n;
  if (constant) {
    for (let i = 0; i < n; i++) {
      const gi = g[i];
      hist[a + bins[offset + i] * STRIDE] += gi;
      hist[b + bins[o1 + i] * STRIDE] += gi;
      hist[c + bins[o2 + i] * STRIDE] += gi;
      hist[d + bins[o3 + i] * STRIDE] += gi;
    }
    return;
  }
  for (let i = 0; i < n; i++) {
    const gi = g[i];
    const hi = h[i];
    let k = a + bins[offset + i] * STRIDE;
    hist[k] += gi;
    hist[k + 1] += hi;
    k = b + bins[o1 + i] * STRIDE;
    hist[k] += gi;
    hist[k + 1] += hi;
    k = c + bins[o2 + i] * STRIDE;
    hist[k] += gi;
    hist[k + 1] += hi;
    k = d + bins[o3 + i] * STRIDE;
    hist[k] += gi;
    hist[k + 1] += hi;
  }
}

/** One feature over a node's rows idx[start, end), reading the gathered gradients sequentially. */
function nodeFeature(bins: Uint8Array, offset: number, idx: Int32Array, start: number, end: number, hist: Float64Array, base: number, og: Float32Array, oh: Float32Array, constant: boolean): void {
  if (constant) {
    for (let p = start; p < end; p++) {
      const k = base + bins[offset + idx[p]] * STRIDE;
      hist[k] += og[p];
      hist[k + 2]++;
    }
    return;
  }
  for (let p = start; p < end; p++) {
    const k = base + bins[offset + idx[p]] * STRIDE;
    hist[k] += og[p];
    hist[k + 1] += oh[p];
    hist[k + 2]++;
  }
}

/** Four consecutive features over a node's rows. */
function nodeFour(bins: Uint8Array, offset: number, n: number, idx: Int32Array, start: number, end: number, hist: Float64Array, a: number, b: number, c: number, d: number, og: Float32Array, oh: Float32Array, constant: boolean): void {
  const o1 = offset + n;
  const o2 = o1 + n;
  const o3 = o2 + n;
  if (constant) {
    for (let p = start; p < end; p++) {
      const i = idx[p];
      const gi = og[p];
      let k = a + bins[offset + i] * STRIDE;
      hist[k] += gi;
      hist[k + 2]++;
      k = b + bins[o1 + i] * STRIDE;
      hist[k] += gi;
      hist[k + 2]++;
      k = c + bins[o2 + i] * STRIDE;
      hist[k] += gi;
      hist[k + 2]++;
      k = d + bins[o3 + i] * STRIDE;
      hist[k] += gi;
      hist[k + 2]++;
    }
    return;
  }
  for (let p = start; p < end; p++) {
    const i = idx[p];
    const gi = og[p];
    const hi = oh[p];
    let k = a + bins[offset + i] * STRIDE;
    hist[k] += gi;
    hist[k + 1] += hi;
    hist[k + 2]++;
    k = b + bins[o1 + i] * STRIDE;
    hist[k] += gi;
    hist[k + 1] += hi;
    hist[k + 2]++;
    k = c + bins[o2 + i] * STRIDE;
    hist[k] += gi;
    hist[k + 1] += hi;
    hist[k + 2]++;
    k = d + bins[o3 + i] * STRIDE;
    hist[k] += gi;
    hist[k + 1] += hi;
    hist[k + 2]++;
  }
}

/** The root's per-bin row counts in histogram layout. */
export function rootCounts(bins: Uint8Array, n: number, histOffset: Int32Array): Float64Array {
  const features = histOffset.length - 1;
  const counts = new Float64Array(histOffset[features]);
  for (let j = 0; j < features; j++) {
    const base = histOffset[j] + 2;
    const offset = j * n;
    for (let i = 0; i < n; i++) counts[base + bins[offset + i] * STRIDE]++;
  }
  return counts;
}

/**
 * The buffers of the histogram pass for `binned` with gradients `g` and hessians `h`: the row index
 * buffer, the gathered gradients, the layout and the root's counts. `shared` puts the buffers the
 * workers read in SharedArrayBuffers (the bins, g and h must already be).
 */
export function histogramData(binned: BinnedMatrix, g: Float32Array, h: Float32Array, shared: boolean): HistogramData {
  const { n, features, bins } = binned;
  if (!(bins instanceof Uint8Array)) throw new Error("gradient boosting bins features into at most 255 values");
  const histOffset = histogramLayout(binned.edges);
  const copy = <T extends Int32Array | Float64Array>(a: T, type: TypedArrayType<T>): T => {
    const out = typedArray(type, a.length, shared);
    out.set(a as never);
    return out;
  };
  return {
    n,
    features,
    bins,
    histOffset: copy(histOffset, Int32Array),
    idx: typedArray(Int32Array, n, shared),
    g,
    h,
    og: typedArray(Float32Array, n, shared),
    oh: typedArray(Float32Array, h.length > 0 ? n : 0, shared),
    rootCounts: copy(rootCounts(bins, n, histOffset), Float64Array),
  };
}

/** Where each feature's histogram starts for features binned by `edges` (value bins, the missing bin); the last entry is the total length. */
export function histogramLayout(edges: Float32Array[]): Int32Array {
  const histOffset = new Int32Array(edges.length + 1);
  for (let j = 0; j < edges.length; j++) histOffset[j + 1] = histOffset[j] + (edges[j].length + 2) * STRIDE;
  return histOffset;
}

type TypedArrayType<T> = { new (b: ArrayBuffer | SharedArrayBuffer): T; readonly BYTES_PER_ELEMENT: number };

/** A zeroed typed array of `length` elements, over a SharedArrayBuffer when `shared` (for the workers). */
export function typedArray<T extends Float64Array | Float32Array | Int32Array | Uint8Array>(type: TypedArrayType<T>, length: number, shared: boolean): T {
  const bytes = length * type.BYTES_PER_ELEMENT;
  return new type(shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
}
