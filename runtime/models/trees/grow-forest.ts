/**
 * Grows a list of trees either in this thread or on worker threads. Tree t is always grown
 * from seeds[t] over the same data, so the result does not depend on where it was grown.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { abortError } from "./abort.js";
import { compiledWorkerUrl } from "../../worker-url.js";
import { TreeGrower, type TreeArrays, type TreeData } from "./tree-builder.js";
import type { TreeOptions } from "./tree-options.js";
import type { ForestWorkerData, GrowRequest, GrowResult } from "./forest-worker.js";
import { OptionError } from "../../errors.js";

export interface GrowForestInput {
  data: TreeData;
  options: TreeOptions;
  seeds: number[];
  /** Worker threads to use; 1 grows in this thread, 0 picks from the job size and core count. */
  workers: number;
  onTree?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export interface GrownForest {
  trees: TreeArrays[];
  /** Threads that grew trees (1 = this thread only). */
  threads: number;
}

/** From this many rows a tree grown in this thread yields to the event loop while it grows. */
const YIELDING_ROWS = 100_000;

/** Below this many row×tree units, starting workers costs more than it saves. */
const WORKER_MIN_WORK = 2_000_000;

/** How many threads a job of this size gets. */
export function threadCount(requested: number, n: number, trees: number): number {
  if (!Number.isInteger(requested) || requested < 0) throw new OptionError(`workers must be a whole number >= 0, got ${requested}`);
  const wanted = requested === 0 ? (n * trees >= WORKER_MIN_WORK ? availableParallelism() : 1) : requested;
  return Math.max(1, Math.min(wanted, trees));
}

/** Grows every tree, reporting each one as it finishes; rejects with an AbortError on abort. */
export async function growForest(input: GrowForestInput): Promise<GrownForest> {
  if (input.signal?.aborted) throw abortError(input.signal);
  const threads = threadCount(input.workers, input.data.binned.n, input.seeds.length);
  const url = threads > 1 ? compiledWorkerUrl("forest-worker.js", import.meta.url) : undefined;
  if (!url) return { trees: await growHere(input), threads: 1 };
  return { trees: await growOnWorkers(input, url, threads), threads };
}

async function growHere(input: GrowForestInput): Promise<TreeArrays[]> {
  const grower = new TreeGrower(input.data, input.options);
  const trees: TreeArrays[] = [];
  for (const seed of input.seeds) {
    // A large tree hands the event loop turns while it grows (one tree of a single-tree fit can take tens of seconds).
    trees.push(input.data.binned.n >= YIELDING_ROWS ? await grower.growYielding(seed, input.signal) : grower.grow(seed));
    input.onTree?.(trees.length, input.seeds.length);
    // Yield so an abort (or anything else queued) can run between trees.
    await new Promise((resolve) => setImmediate(resolve));
    if (input.signal?.aborted) throw abortError(input.signal);
  }
  return trees;
}

function shared<T extends Uint8Array | Uint16Array | Float32Array>(a: T, make: (b: SharedArrayBuffer) => T): T {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const copy = make(new SharedArrayBuffer(a.byteLength));
  copy.set(a as never);
  return copy;
}

function growOnWorkers(input: GrowForestInput, url: URL, threads: number): Promise<TreeArrays[]> {
  const { binned, y } = input.data;
  const workerData: ForestWorkerData & { forestWorker: true } = {
    forestWorker: true,
    n: binned.n,
    features: binned.features,
    bins: binned.bins instanceof Uint8Array ? shared(binned.bins, (b) => new Uint8Array(b)) : shared(binned.bins, (b) => new Uint16Array(b)),
    edges: binned.edges,
    low: binned.low,
    high: binned.high,
    y: shared(y, (b) => new Float32Array(b)),
    options: input.options,
  };
  const total = input.seeds.length;
  const trees = new Array<TreeArrays>(total);
  return new Promise<TreeArrays[]>((resolve, reject) => {
    const workers: Worker[] = [];
    let next = 0;
    let done = 0;
    let settled = false;
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      input.signal?.removeEventListener("abort", onAbort);
      for (const w of workers) void w.terminate();
      if (error) reject(error);
      else resolve(trees);
    };
    const onAbort = () => finish(abortError(input.signal));
    input.signal?.addEventListener("abort", onAbort, { once: true });
    const feed = (worker: Worker) => {
      if (next >= total) return;
      const request: GrowRequest = { tree: next, seed: input.seeds[next] };
      next++;
      worker.postMessage(request);
    };
    for (let w = 0; w < threads; w++) {
      const worker = new Worker(url, { workerData });
      workers.push(worker);
      worker.on("message", (result: GrowResult) => {
        if (settled) return;
        trees[result.tree] = result.arrays;
        done++;
        try {
          input.onTree?.(done, total);
        } catch (error) {
          finish(error as Error);
          return;
        }
        if (done === total) finish();
        else feed(worker);
      });
      worker.on("error", (error) => finish(error));
      worker.on("exit", (code) => {
        if (!settled) finish(new Error(`a forest worker exited early with code ${code}`));
      });
      feed(worker);
    }
  });
}
