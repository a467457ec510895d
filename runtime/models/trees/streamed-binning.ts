/**
 * Quantising rows streamed from DuckDB (data over the training memory budget) for the tree
 * learners: bin edges from a bounded seeded sample, then one pass binning every block into the
 * one- or two-byte cells the tree builder reads. Memory holds the cells (n × features bytes, a
 * quarter of the float32 columns or less), the targets and one block; the float32 columns are
 * never held whole.
 */
import type { RowBlocks } from "../types.js";
import { binInto, binRanges, BYTE_VALUE_BINS, computeEdges, type BinArray, type BinnedMatrix } from "./binning.js";
import { Rng } from "./prng.js";

/** Rows the edges are computed from at most: scikit-learn's HistGradientBoosting bins from a 200,000-row subsample too. */
export const EDGE_SAMPLE_ROWS = 200_000;

/** Some of the rows: `n` of them, those for which `keep` (called once per row in order, with its target) says true. */
export interface RowFilter {
  n: number;
  keep(y: number): boolean;
}

/**
 * A uniform sample of `size` rows (all of them when there are no more), by reservoir sampling
 * (Algorithm R) on a generator seeded with `seed`: the same rows for the same data and seed.
 * Only the rows `rows` keeps when given. Columns only: the edges need no targets.
 */
export async function sampleColumns(data: RowBlocks, size: number, seed: number, signal?: AbortSignal, rows?: RowFilter): Promise<{ n: number; columns: Float32Array[] }> {
  const d = data.names.length;
  const kept = Math.min(size, rows?.n ?? data.n);
  const columns = Array.from({ length: d }, () => new Float32Array(kept));
  const rng = new Rng(seed);
  let i = 0;
  await data.forEach(
    data.rowsPerBlock(1),
    (x, y) => {
      for (let r = 0; r < x.n; r++) {
        if (rows && !rows.keep(y[r])) continue;
        const slot = i < kept ? i : rng.nextInt(i + 1);
        if (slot < kept) for (let j = 0; j < d; j++) columns[j][slot] = x.columns[j][r];
        i++;
      }
    },
    signal,
  );
  return { n: kept, columns };
}

/** Folds a block's per-bin smallest and largest values into the running ones: NaN (an empty bin) never wins a comparison. */
export function foldRanges(low: Float32Array, high: Float32Array, block: { low: Float32Array; high: Float32Array }): void {
  for (let b = 0; b < block.low.length; b++) {
    if (!(block.low[b] >= low[b])) low[b] = block.low[b] === block.low[b] ? block.low[b] : low[b];
    if (!(block.high[b] <= high[b])) high[b] = block.high[b] === block.high[b] ? block.high[b] : high[b];
  }
}

/**
 * The binned matrix and targets of streamed rows: edges from a sample of at most `sampleRows`
 * rows (so with the sample holding every row, the very edges of `binColumns`), then every row
 * binned by those edges, and each bin's smallest and largest value over all rows (the thresholds
 * sit between real training values, as in memory). `shared` puts cells and targets on
 * SharedArrayBuffers for the forest's worker threads.
 */
export async function binStreamed(data: RowBlocks, maxBins: number, sampleRows: number, seed: number, shared: boolean, signal?: AbortSignal): Promise<{ binned: BinnedMatrix; y: Float32Array }> {
  const { n } = data;
  const d = data.names.length;
  const sample = await sampleColumns(data, sampleRows, seed, signal);
  const edges = sample.columns.map((c) => computeEdges(c, maxBins));
  const bytes = Math.max(...edges.map((e) => e.length + 1)) <= BYTE_VALUE_BINS ? 1 : 2;
  const buffer = (size: number) => (shared ? new SharedArrayBuffer(size) : new ArrayBuffer(size));
  const bins: BinArray = bytes === 1 ? new Uint8Array(buffer(n * d)) : new Uint16Array(buffer(n * d * 2));
  const y = new Float32Array(buffer(n * 4));
  const low = edges.map((e) => new Float32Array(e.length + 1).fill(NaN));
  const high = edges.map((e) => new Float32Array(e.length + 1).fill(NaN));
  await data.forEach(
    data.rowsPerBlock(1),
    (x, yBlock, start) => {
      y.set(yBlock, start);
      for (let j = 0; j < d; j++) {
        const cells = bins.subarray(j * n + start, j * n + start + x.n);
        binInto(x.columns[j], edges[j], cells);
        foldRanges(low[j], high[j], binRanges(x.columns[j], cells, edges[j].length + 1));
      }
    },
    signal,
  );
  return { binned: { n, features: d, bins, edges, low, high }, y };
}
