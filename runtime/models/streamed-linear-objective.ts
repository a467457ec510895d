import { penalisedMean, type LinearObjective } from "./linear-objective.js";
import { blockCount, blockStride, BLOCK_ROWS, passBlocks, type PassData } from "./linear-pass.js";
import type { RowBlocks } from "./types.js";

/** A linear pass's constants with its rows streamed: `PassData` without the columns and targets, which come a block at a time. */
export type StreamedPassData = Omit<PassData, "columns" | "n" | "y"> & { data: RowBlocks };

/**
 * The objective of `openLinearObjective` over rows streamed from DuckDB: each evaluation is one
 * pass over the data, read in blocks of a whole number of BLOCK_ROWS, each block's 4,096-row
 * sums computed by `passBlocks` exactly as in memory and added in the same order. So the value
 * and gradient — and the fitted model — are the same bit for bit as the in-memory fit's; memory
 * holds one block. One thread: the pass is bound by reading the data anyway.
 */
export function openStreamedLinearObjective(source: StreamedPassData, penalty: number, signal?: AbortSignal): LinearObjective {
  const { data, k } = source;
  const n = data.n;
  const d = data.names.length;
  const stride = blockStride(d, k);
  const rows = data.rowsPerBlock(BLOCK_ROWS);
  const out = new Float64Array(blockCount(rows) * stride);
  const scores = new Float64Array(k * BLOCK_ROWS);
  return {
    threads: 1,
    close: async () => {},
    objective: async (w) => {
      const grad = new Float64Array(stride - 1);
      let loss = 0;
      await data.forEach(
        rows,
        (x, y) => {
          const blocks = blockCount(x.n);
          passBlocks({ ...source, columns: x.columns, n: x.n, y }, w, 0, blocks, out, scores);
          // addBlocks' loop, carried on across blocks of the stream.
          for (let b = 0; b < blocks; b++) {
            const at = b * stride;
            loss += out[at];
            for (let q = 0; q < grad.length; q++) grad[q] += out[at + 1 + q];
          }
        },
        signal,
      );
      return penalisedMean(loss, grad, w, n, penalty, d * k);
    },
  };
}
