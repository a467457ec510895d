/**
 * Histograms are binned here rather than by Vega-Lite so a chart of millions
 * of rows inlines only bin counts. The bin boundaries come from Vega's own
 * `bin` helper, so they are the same "nice" bins Vega-Lite would choose.
 */
import { createRequire } from "node:module";
import type * as VegaStatistics from "vega-statistics";
import type { NumericValues } from "./types.js";

// vega-statistics is where Vega's `bin` lives: loading it alone spares a describe or a monitor the
// load of all of Vega (≈ 150 ms) when no chart is rendered. It is CommonJS, loaded with `require` on
// the first histogram: an ES `import` had Node scan its source for export names on every start that
// loads the charts (≈ 10–35 ms of CPU, a recorded `lathe run` with a plot among them).
let statistics: typeof VegaStatistics | undefined;
const niceBins: typeof VegaStatistics.bin = (options) => (statistics ??= createRequire(import.meta.url)("vega-statistics") as typeof VegaStatistics).bin(options);

export interface Histogram {
  /** k+1 ascending bin edges; bin i is [edges[i], edges[i+1]), the last bin closed. */
  edges: number[];
  counts: number[];
  /** Null, undefined or NaN values, not counted in any bin. */
  missing: number;
}

/** Finite [min, max] of the values, or undefined when there are none. */
export function numericExtent(...columns: NumericValues[]): [number, number] | undefined {
  let lo = Infinity;
  let hi = -Infinity;
  for (const values of columns) {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v == null || !Number.isFinite(v)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return lo <= hi ? [lo, hi] : undefined;
}

/** Nice bin edges covering `extent` with at most `maxbins` bins; a single value gets one unit-wide bin. */
export function binEdges(extent: [number, number], maxbins = 20): number[] {
  const [lo, hi] = extent;
  // Vega's bin picks its step as a power of ten of the span: for a span near the smallest doubles
  // (e.g. 5e-324) that power underflows to 0 and its search never ends. Such a column is constant
  // for any chart, so it gets the constant column's unit bin.
  if (hi - lo <= Math.max(Math.abs(lo), Math.abs(hi), 1e-200) * 1e-12) return [lo - 0.5, lo + 0.5];
  const { start, stop, step } = niceBins({ extent, maxbins });
  const k = Math.max(1, Math.round((stop - start) / step));
  // Multiplying instead of accumulating keeps edges like 0.3 free of drift.
  const edges = Array.from({ length: k + 1 }, (_, i) => Number((start + i * step).toPrecision(12)));
  if (edges[k] < hi) edges.push(Number((start + (k + 1) * step).toPrecision(12)));
  return edges;
}

/** Counts values into the given edges (last bin closed); values beyond the ends fall into the end bins. */
export function countInBins(values: NumericValues, edges: number[]): Histogram {
  const k = edges.length - 1;
  const counts = new Array<number>(k).fill(0);
  let missing = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v == null || Number.isNaN(v)) {
      missing++;
      continue;
    }
    counts[binIndex(v, edges)]++;
  }
  return { edges, counts, missing };
}

/** Bins numeric values into nice bins chosen from their own extent. */
export function histogram(values: NumericValues, maxbins = 20): Histogram {
  const extent = numericExtent(values);
  if (!extent) return { edges: [], counts: [], missing: values.length };
  return countInBins(values, binEdges(extent, maxbins));
}

function binIndex(v: number, edges: number[]): number {
  const k = edges.length - 1;
  if (v <= edges[0]) return 0;
  if (v >= edges[k]) return k - 1;
  let lo = 0;
  let hi = k;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (v >= edges[mid]) lo = mid;
    else hi = mid;
  }
  return lo;
}
