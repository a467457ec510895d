import { Worker } from "node:worker_threads";
import { passOnWorker, passThreads, penalisedMean, workerUrl, type LinearObjective } from "./linear-objective.js";
import { blockCount, blockStride, BLOCK_ROWS, passBlocks, type PassData } from "./linear-pass.js";
import type { LinearWorkerData, StreamedBlockMessage } from "./linear-pass-worker.js";
import type { RowBlocks } from "./types.js";

/** A linear pass's constants with its rows streamed: `PassData` without the columns and targets, which come a block at a time. */
export type StreamedPassData = Omit<PassData, "columns" | "n" | "y"> & { data: RowBlocks };

/**
 * The objective of `openLinearObjective` over rows streamed from DuckDB: each evaluation is one
 * pass over the data, read in blocks of a whole number of BLOCK_ROWS, each block's 4,096-row
 * sums computed by `passBlocks` exactly as in memory and added in the same order. So the value
 * and gradient — and the fitted model — are the same bit for bit as the in-memory fit's; memory
 * holds one block. A streamed block's 4,096-row blocks are split over `threads` threads (this one
 * and workers, as in memory: the block copied once to shared memory), which changes nothing in
 * the sums.
 */
export function openStreamedLinearObjective(source: StreamedPassData, penalty: number, signal?: AbortSignal, threads = passThreads(source.data.n, source.data.names.length, source.k)): LinearObjective {
  const { data, k } = source;
  const n = data.n;
  const d = data.names.length;
  const stride = blockStride(d, k);
  const rows = data.rowsPerBlock(BLOCK_ROWS);
  const url = threads > 1 ? workerUrl() : undefined;
  const used = url ? Math.min(threads, blockCount(rows)) : 1;
  const bytes = blockCount(rows) * stride * 8;
  const out = new Float64Array(used > 1 ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
  const scores = new Float64Array(k * BLOCK_ROWS);
  // Workers read each streamed block from these shared arrays (the stream's own are reused and not shared).
  const sharedColumns = used > 1 ? Array.from({ length: d }, () => new Float32Array(new SharedArrayBuffer(rows * 4))) : [];
  const sharedY = new Float32Array(used > 1 ? new SharedArrayBuffer(rows * 4) : new ArrayBuffer(0));
  const workers: Worker[] = [];
  if (url) {
    // The constants only: each message brings its block's rows.
    const constants: PassData = { ...source, columns: [], n: 0, y: new Float32Array(0) };
    delete (constants as Partial<StreamedPassData>).data;
    for (let t = 1; t < used; t++) {
      const workerData: LinearWorkerData = { linearPass: true, data: constants, out, from: 0, to: 0 };
      workers.push(new Worker(url, { workerData }));
    }
  }
  return {
    threads: used,
    close: async () => {
      await Promise.all(workers.map((w) => w.terminate()));
    },
    objective: async (w) => {
      const grad = new Float64Array(stride - 1);
      let loss = 0;
      await data.forEach(
        rows,
        async (x, y) => {
          const blocks = blockCount(x.n);
          if (used > 1) {
            for (let j = 0; j < d; j++) sharedColumns[j].set(x.columns[j]);
            sharedY.set(y);
            const columns = sharedColumns.map((c) => c.subarray(0, x.n));
            const ys = sharedY.subarray(0, x.n);
            // Thread t sums blocks [bounds[t], bounds[t + 1]) of this streamed block; this thread the first share.
            const bounds = Array.from({ length: used + 1 }, (_, t) => Math.round((t * blocks) / used));
            const done = workers.map((worker, t) => passOnWorker(worker, { w, columns, y: ys, n: x.n, from: bounds[t + 1], to: bounds[t + 2] } satisfies StreamedBlockMessage));
            passBlocks({ ...source, columns, n: x.n, y: ys }, w, bounds[0], bounds[1], out, scores);
            await Promise.all(done);
          } else passBlocks({ ...source, columns: x.columns, n: x.n, y }, w, 0, blocks, out, scores);
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
