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

if (parentPort && workerData && (workerData as { linearPass?: boolean }).linearPass) {
  const port = parentPort;
  const { data, out, from, to } = workerData as LinearWorkerData;
  const scores = new Float64Array(data.k * BLOCK_ROWS);
  port.on("message", (w: Float64Array) => {
    passBlocks(data, w, from, to, out, scores);
    port.postMessage(0);
  });
}
