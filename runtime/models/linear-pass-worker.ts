/**
 * Worker-thread entry of the linear data term: sums its share of the row blocks at the weights the
 * main thread sends, into a buffer shared with it. The feature columns arrive on SharedArrayBuffers
 * (not copied). Imports only the pass itself, so the worker starts in milliseconds.
 */
import { parentPort, workerData } from "node:worker_threads";
import { BLOCK_ROWS, passBlocks, type PassData } from "./linear-pass.js";

/** What the main thread passes when it starts a worker. */
export interface LinearWorkerData {
  linearPass: true;
  data: PassData;
  /** Per-block sums, shared with the main thread. */
  out: Float64Array;
  from: number;
  to: number;
}

/**
 * A message for a worker of a streamed pass (`streamed-linear-objective.ts`): the rows of the
 * current streamed block (shared columns and targets) and its blocks [from, to) to sum at `w`;
 * the worker's `data` then holds only the pass's constants.
 */
export interface StreamedBlockMessage {
  w: Float64Array;
  columns: Float32Array[];
  y: Float32Array;
  n: number;
  from: number;
  to: number;
}

if (parentPort && workerData && (workerData as { linearPass?: boolean }).linearPass) {
  const port = parentPort;
  const { data, out, from, to } = workerData as LinearWorkerData;
  const scores = new Float64Array(data.k * BLOCK_ROWS);
  port.on("message", (m: Float64Array | StreamedBlockMessage) => {
    if (m instanceof Float64Array) passBlocks(data, m, from, to, out, scores);
    else passBlocks({ ...data, columns: m.columns, y: m.y, n: m.n }, m.w, m.from, m.to, out, scores);
    port.postMessage(0);
  });
}
