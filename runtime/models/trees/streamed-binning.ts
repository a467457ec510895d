/**
 * Quantising rows streamed from DuckDB (data over the training memory budget) for the tree
 * learners: bin edges from a bounded seeded sample, then one pass binning every block into the
 * one- or two-byte cells the tree builders read, written a chunk at a time to a chunk file on disk
 * (chunk-file.ts) that the learners read back per pass. Memory holds a chunk, never every row's
 * cells or float32 columns.
 */
import type { Matrix, RowBlocks } from "../types.js";
import { binColumn, BYTE_VALUE_BINS, computeEdges, EdgeScratch, type BinArray, type BinnedMatrix } from "./binning.js";
import type { ChunkFile } from "./chunk-file.js";
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

/** Bin edges of streamed rows from a seeded sample of at most `sampleRows` of them (those `rows` keeps), and each value bin's smallest and largest value, empty until `binToChunks` fills them. */
export async function streamedEdges(data: RowBlocks, maxBins: number, sampleRows: number, seed: number, signal?: AbortSignal, rows?: RowFilter): Promise<Pick<BinnedMatrix, "edges" | "low" | "high">> {
  const sample = await sampleColumns(data, sampleRows, seed, signal, rows);
  const scratch = new EdgeScratch();
  const edges = sample.columns.map((c) => computeEdges(c, maxBins, scratch));
  return { edges, low: edges.map((e) => new Float32Array(e.length + 1).fill(NaN)), high: edges.map((e) => new Float32Array(e.length + 1).fill(NaN)) };
}

/** Whether the cells of features with these edges take one byte each (else two). */
export function byteCells(edges: Float32Array[]): boolean {
  return Math.max(...edges.map((e) => e.length + 1)) <= BYTE_VALUE_BINS;
}

/**
 * One pass binning streamed rows into `file`'s sections `bins` (a chunk's cells feature-major:
 * feature j of its m rows at j·m) and `y`, folding each bin's smallest and largest value into
 * `binning.low`/`high` (so thresholds sit between real training values, as in memory). Rows
 * `rows` does not keep go to `skipped` instead (a holdout); `chunk` sees each chunk's targets in
 * order. Memory holds one chunk's float32 columns and cells.
 */
export async function binToChunks(data: RowBlocks, binning: Pick<BinnedMatrix, "edges" | "low" | "high">, file: ChunkFile, signal?: AbortSignal, rows?: RowFilter & { skipped(x: Matrix, r: number, y: number): void }, chunk?: (y: Float32Array) => void): Promise<void> {
  const { edges, low, high } = binning;
  const d = edges.length;
  const size = file.rowsPerChunk;
  const stage = Array.from({ length: d }, () => new Float32Array(size));
  const stageY = new Float32Array(size);
  const cells: BinArray = byteCells(edges) ? new Uint8Array(size * d) : new Uint16Array(size * d);
  let c = 0;
  let filled = 0;
  const flush = () => {
    const m = filled;
    for (let j = 0; j < d; j++) {
      const out = cells.subarray(j * m, (j + 1) * m);
      foldRanges(low[j], high[j], binColumn(stage[j].subarray(0, m), edges[j], out));
    }
    file.write(c, "bins", cells.subarray(0, m * d));
    file.write(c, "y", stageY.subarray(0, m));
    chunk?.(stageY.subarray(0, m));
    c++;
    filled = 0;
  };
  await data.forEach(
    data.rowsPerBlock(1),
    (x, y) => {
      for (let r = 0; r < x.n; r++) {
        if (rows && !rows.keep(y[r])) {
          rows.skipped(x, r, y[r]);
          continue;
        }
        for (let j = 0; j < d; j++) stage[j][filled] = x.columns[j][r];
        stageY[filled++] = y[r];
        if (filled === size) flush();
      }
    },
    signal,
  );
  if (filled > 0) flush();
  if (c !== file.chunks) throw new Error(`binned ${c} chunks, expected ${file.chunks}`);
}
