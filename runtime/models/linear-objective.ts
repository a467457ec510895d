import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { compiledWorkerUrl } from "../worker-url.js";
import type { Objective } from "./lbfgs.js";
import { addBlocks, blockCount, blockStride, BLOCK_ROWS, passBlocks, type PassData } from "./linear-pass.js";
import type { LinearWorkerData } from "./linear-pass-worker.js";

/** The objective of a linear fit and what it holds: worker threads to stop when the fit is done. */
export interface LinearObjective {
  objective: Objective;
  /** Threads summing the data term (1 = this thread only). */
  threads: number;
  close(): Promise<void>;
}

/** Multiply-adds of one pass (rows × weights) below which a second thread costs more than it saves. */
const THREAD_MIN_WORK = 2_000_000;

/** How many threads a pass over n rows of d features and k scores gets: one per core, each with enough work. */
export function passThreads(n: number, d: number, k: number): number {
  const work = n * (d + 1) * k;
  return Math.max(1, Math.min(availableParallelism(), Math.floor(work / THREAD_MIN_WORK), blockCount(n)));
}

/** The compiled worker script; undefined when running from TypeScript sources (tests), where a worker could not load it. */
export const workerUrl = (): URL | undefined => compiledWorkerUrl("linear-pass-worker.js", import.meta.url);

/** A typed array on a SharedArrayBuffer (the same one when it already is), so worker threads read it without a copy. */
function shared<T extends Float32Array | Float64Array>(a: T, make: (b: SharedArrayBuffer) => T): T {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const copy = make(new SharedArrayBuffer(a.byteLength));
  copy.set(a);
  return copy;
}

/**
 * The L2-penalised objective of a linear model: mean data loss over the rows (`linear-pass.ts`,
 * float64 over the float32 columns, standardised on the fly) + ½·penalty·‖W‖², the intercept row
 * not penalised (unlike liblinear, so the fit does not depend on the scale of a constant).
 * The rows' blocks are split over `threads` threads (this one and workers); blocks are added in
 * order, so the value is the same bit for bit for any thread count.
 */
export async function openLinearObjective(data: PassData, penalty: number, threads = passThreads(data.n, data.columns.length, data.k)): Promise<LinearObjective> {
  const { n, k } = data;
  const d = data.columns.length;
  const blocks = blockCount(n);
  const url = threads > 1 ? workerUrl() : undefined;
  const used = url ? Math.min(threads, blocks) : 1;
  const bytes = blocks * blockStride(d, k) * 8;
  const out = new Float64Array(used > 1 ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
  const scores = new Float64Array(k * BLOCK_ROWS);
  // Thread t sums the blocks [bounds[t], bounds[t + 1]); this thread takes the first share.
  const bounds = Array.from({ length: used + 1 }, (_, t) => Math.round((t * blocks) / used));
  const workers: Worker[] = [];
  if (url) {
    const sharedData: PassData = {
      ...data,
      columns: data.columns.map((c) => shared(c, (b) => new Float32Array(b))),
      y: shared(data.y, (b) => new Float32Array(b)),
    };
    for (let t = 1; t < used; t++) {
      const workerData: LinearWorkerData = { linearPass: true, data: sharedData, out, from: bounds[t], to: bounds[t + 1] };
      workers.push(new Worker(url, { workerData }));
    }
  }
  const penalised = d * k;
  const objective: Objective = async (w) => {
    const done = workers.map((worker) => passOnWorker(worker, w));
    passBlocks(data, w, bounds[0], bounds[1], out, scores);
    await Promise.all(done);
    const sums = addBlocks(out, blocks, d, k);
    return penalisedMean(sums.loss, sums.grad, w, n, penalty, penalised);
  };
  return {
    objective,
    threads: used,
    close: async () => {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}

/** The objective from the data term's sums over n rows: their means plus ½·penalty·‖W‖² over the first `penalised` weights (not the intercept row). Scales `grad` in place. */
export function penalisedMean(loss: number, grad: Float64Array, w: Float64Array, n: number, penalty: number, penalised: number): { loss: number; grad: Float64Array } {
  let reg = 0;
  for (let q = 0; q < grad.length; q++) grad[q] /= n;
  for (let q = 0; q < penalised; q++) {
    reg += w[q] * w[q];
    grad[q] += penalty * w[q];
  }
  return { loss: loss / n + 0.5 * penalty * reg, grad };
}

/** Sends a pass worker its message and resolves when it has written its sums (rejects if it fails). */
export function passOnWorker(worker: Worker, message: unknown): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    worker.once("error", onError);
    worker.once("message", () => {
      worker.off("error", onError);
      resolve();
    });
    worker.postMessage(message);
  });
}
