/**
 * Worker-thread entry: grows the trees the main thread asks for, over binned data shared
 * (not copied) through SharedArrayBuffers. Each request carries the tree's own seed, so a tree
 * comes out the same whichever worker grows it.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { BinArray } from "./binning.js";
import { TreeGrower, type TreeArrays } from "./tree-builder.js";
import type { TreeOptions } from "./tree-options.js";

/** What the main thread passes when it starts a worker. */
export interface ForestWorkerData {
  n: number;
  features: number;
  bins: BinArray;
  edges: Float32Array[];
  low: Float32Array[];
  high: Float32Array[];
  y: Float32Array;
  options: TreeOptions;
}

/** A request to grow tree `tree` with `seed`. */
export interface GrowRequest {
  tree: number;
  seed: number;
}

/** The answer to a `GrowRequest`. */
export interface GrowResult {
  tree: number;
  arrays: TreeArrays;
}

/** The buffers of a grown tree, to transfer instead of copy. */
export function transferList(arrays: TreeArrays): ArrayBuffer[] {
  return [arrays.feature, arrays.threshold, arrays.left, arrays.right, arrays.missingLeft, arrays.values, arrays.importance].map(
    (a) => a.buffer as ArrayBuffer,
  );
}

if (parentPort && workerData && (workerData as { forestWorker?: boolean }).forestWorker) {
  const port = parentPort;
  const data = workerData as ForestWorkerData;
  const grower = new TreeGrower(
    { binned: { n: data.n, features: data.features, bins: data.bins, edges: data.edges, low: data.low, high: data.high }, y: data.y },
    data.options,
  );
  port.on("message", (request: GrowRequest) => {
    const arrays = grower.grow(request.seed);
    const result: GrowResult = { tree: request.tree, arrays };
    port.postMessage(result, transferList(arrays));
  });
}
