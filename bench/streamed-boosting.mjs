// Benchmark: gradient_boosting streamed from a chunk file (docs/larger-than-memory.md) against the
// same fit in memory, alternating in one process on the same generated rows (no DuckDB: the rows
// come from arrays as RowBlocks, so only the learner is timed). Prints each pair with the 1-minute
// load average, the chunk size, the passes over the chunk file and each side's CPU time (the machine is shared:
// CPU moves less with load than wall time). `--gather BYTES` sets the memory for nodes' gathered rows (default: the
// training budget's, which here holds every row: one pass a tree; 0: none, every histogram from passes).
//
//   npm run build && node bench/streamed-boosting.mjs [--rows 200000] [--block rows/2] [--iterations 10] [--pairs 2] [--gather BYTES]
import { loadavg } from "node:os";
import { gradientBoosting } from "../dist/runtime/models/trees/gradient-boosting.js";
import { lastStreamedBoosting, trainBoostingStreamed } from "../dist/runtime/models/trees/streamed-boosting.js";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return Number(i >= 0 ? process.argv[i + 1] : fallback);
};
const n = arg("rows", 200_000);
// Blocks of half the rows by default: the edge sample (two blocks) holds every row, so the bins and trees are the in-memory ones.
const block = arg("block", Math.ceil(n / 2));
const d = 6;
// A seeded generator: the same rows on every run; three classes from two linear rules.
let state = 1;
const next = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 4294967296;
const columns = Array.from({ length: d }, () => Float32Array.from({ length: n }, () => next() - 0.5));
const y = Float32Array.from({ length: n }, (_, i) => (columns[0][i] - columns[1][i] + 0.5 * columns[2][i] > 0.3 ? 0 : columns[3][i] + columns[4][i] > 0.2 ? 1 : 2));
const names = columns.map((_, j) => `x${j}`);
const data = {
  n,
  names,
  rowsPerBlock: (m) => Math.max(1, Math.floor(block / m)) * m,
  async forEach(rows, each) {
    for (let s = 0; s < n; s += rows) {
      const e = Math.min(n, s + rows);
      await each({ n: e - s, columns: columns.map((c) => c.subarray(s, e)), names }, y.subarray(s, e), s);
    }
  },
  async read() {
    throw new Error("not used");
  },
};
const params = { ...gradientBoosting.defaults, max_iter: arg("iterations", 10), early_stopping: false, workers: 1 };
const classes = ["a", "b", "c"];
const gatherAt = process.argv.indexOf("--gather");
const gather = gatherAt >= 0 ? Number(process.argv[gatherAt + 1]) : undefined;
const cpuMs = (from) => {
  const { user, system } = process.cpuUsage(from);
  return Math.round((user + system) / 1000);
};
for (let k = 0; k < arg("pairs", 2); k++) {
  const load = loadavg()[0];
  let t = performance.now();
  let cpu = process.cpuUsage();
  const streamed = await trainBoostingStreamed({ task: "classification", data, classes, params, seed: 1 }, gather);
  const streamedMs = performance.now() - t;
  const streamedCpuMs = cpuMs(cpu);
  t = performance.now();
  cpu = process.cpuUsage();
  const inMemory = await gradientBoosting.train({ task: "classification", x: { n, columns, names }, y, classes, params, seed: 1 });
  const inMemoryMs = performance.now() - t;
  const inMemoryCpuMs = cpuMs(cpu);
  const same = JSON.stringify(streamed.toJSON().state.trees) === JSON.stringify(inMemory.toJSON().state.trees);
  console.log(JSON.stringify({ rows: n, streamedMs: Math.round(streamedMs), inMemoryMs: Math.round(inMemoryMs), ratio: +(streamedMs / inMemoryMs).toFixed(2), streamedCpuMs, inMemoryCpuMs, cpuRatio: +(streamedCpuMs / inMemoryCpuMs).toFixed(2), sameTrees: same, chunkRows: lastStreamedBoosting.chunkRows, chunks: lastStreamedBoosting.chunks, passes: lastStreamedBoosting.passes, load }));
}
