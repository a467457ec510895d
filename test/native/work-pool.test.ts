// The module's own threads (native/work-pool.cc): every boosting kernel that splits its loop over
// them gives its one-thread result bit for bit, on sizes past each kernel's threshold, whatever the
// number of threads; and a fit on them grows the one-thread model.
import { describe, expect, test } from "vitest";
import { Worker } from "node:worker_threads";
import { nativeBoosting, nativeModuleFile } from "../../runtime/models/native-engine.js";
import { binColumns } from "../../runtime/models/trees/binning.js";
import { gradientBoosting } from "../../runtime/models/trees/gradient-boosting.js";
import { histogramData, type HistogramData } from "../../runtime/models/trees/gradient-histograms.js";
import { Rng } from "../../runtime/models/trees/prng.js";
import type { TrainInput } from "../../runtime/models/types.js";

const native = nativeBoosting();
const counts = [1, 2, 3, 7];

/** n rows × f features (some with few bins, some missing values), gradients and hessians of two classes, rows shuffled into idx. */
function problem(n: number, f: number, seed: number): { d: HistogramData; rng: Rng } {
  const rng = new Rng(seed);
  const columns = Array.from({ length: f }, (_, j) => Float32Array.from({ length: n }, () => (rng.nextInt(11) === 0 ? NaN : j % 3 === 0 ? rng.nextInt(7) : rng.nextUint32() / 2 ** 20 - 2048)));
  const g = Float32Array.from({ length: 2 * n }, () => (rng.nextUint32() / 2 ** 32 - 0.5) * 10 ** rng.nextInt(6));
  const h = Float32Array.from({ length: 2 * n }, () => (rng.nextUint32() / 2 ** 32) * 10 ** -rng.nextInt(4));
  const d = histogramData(binColumns(columns, n, 255), g, h, false);
  d.idx.set(Int32Array.from({ length: n }, (_, i) => i));
  for (let i = n - 1; i > 0; i--) {
    const r = rng.nextInt(i + 1);
    [d.idx[i], d.idx[r]] = [d.idx[r], d.idx[i]];
  }
  return { d, rng };
}

const bits = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("base64");

describe.skipIf(!native)("the native module's threads", () => {
  test("histograms: root and node passes on 1, 2, 3 and 7 threads are the same bits, both hessian kinds, uneven feature ranges", () => {
    const { d } = problem(40_000, 11, 3);
    for (let p = 0; p < d.n; p++) {
      d.og[p] = d.g[d.n + d.idx[p]];
      d.oh[p] = d.h[d.n + d.idx[p]];
    }
    const size = d.histOffset[d.features];
    for (const constant of [0, 1]) {
      // The root, a node past the threshold, one under it, and a feature range not starting at 0.
      for (const [j0, j1, start, end, root] of [[0, 11, 0, d.n, 1], [0, 11, 5, 33_005, 0], [2, 9, 100, 1_100, 0], [3, 11, 17, 39_000, 0]]) {
        const results = counts.map((threads) => {
          const hist = new Float64Array(size);
          native!.histograms(d.bins as Uint8Array, d.n, d.histOffset, d.idx, d.g, d.h, d.og, d.oh, d.rootCounts, hist, Float64Array.of(j0, j1, start, end, root, d.n, constant, threads));
          return hist;
        });
        expect(results[0].some((v) => v !== 0)).toBe(true);
        for (const r of results) expect(bits(r)).toBe(bits(results[0]));
      }
    }
    // A corrupt row index is still caught when the pass is split.
    const bad = d.idx.slice();
    bad[30_000] = d.n + 5;
    expect(() => native!.histograms(d.bins as Uint8Array, d.n, d.histOffset, bad, d.g, d.h, d.og, d.oh, d.rootCounts, new Float64Array(size), Float64Array.of(0, 11, 0, 40_000, 0, 0, 0, 2))).toThrow(/row index or bin out of range/);
  });

  test("partition, gather and the leaves' update: the same buffers on any number of threads; bad rows still throw", () => {
    const { d, rng } = problem(100_000, 3, 5);
    const goesLeft = Uint8Array.from({ length: 256 }, () => rng.nextInt(2));
    const start = 7;
    const end = d.n - 11;
    const expectedMid = start + Array.from(d.idx.subarray(start, end)).filter((i) => goesLeft[d.bins[d.n + i]] === 1).length;
    const partitions = counts.map((threads) => {
      const idx = d.idx.slice();
      const mid = native!.partition(d.bins as Uint8Array, d.n, 1, idx, new Int32Array(end - start), start, end, goesLeft, threads);
      return { mid, idx };
    });
    for (const p of partitions) {
      expect(p.mid).toBe(expectedMid);
      expect(bits(p.idx)).toBe(bits(partitions[0].idx));
    }
    // Stable: each side keeps the rows' order.
    const left = Array.from(d.idx.subarray(start, end)).filter((i) => goesLeft[d.bins[d.n + i]] === 1);
    expect(Array.from(partitions[2].idx.subarray(start, expectedMid))).toEqual(left);
    const badIdx = d.idx.slice();
    badIdx[60_000] = -3;
    expect(() => native!.partition(d.bins as Uint8Array, d.n, 1, badIdx, new Int32Array(end - start), start, end, goesLeft, 2)).toThrow(/row index out of range/);

    const idx = partitions[0].idx;
    for (const constant of [false, true]) {
      const gathered = counts.map((threads) => {
        const og = new Float32Array(d.n);
        const oh = new Float32Array(d.n);
        native!.gather(idx, d.g, d.h, og, oh, start, end, d.n, constant, threads);
        return bits(og) + bits(oh);
      });
      for (const x of gathered) expect(x).toBe(gathered[0]);
    }
    expect(() => native!.gather(badIdx, d.g, d.h, d.og, d.oh, start, end, 0, false, 2)).toThrow(/row index out of range/);

    // Leaves: the rows of idx cut into uneven runs, a value each.
    const cuts = [start, 20, 5_000, 5_001, 70_000, end];
    const bounds = Int32Array.from(cuts.slice(0, -1).flatMap((c, l) => [c, cuts[l + 1]]));
    const values = Float64Array.from({ length: cuts.length - 1 }, () => rng.nextUint32() / 3);
    const raws = counts.map((threads) => {
      const raw = Float64Array.from({ length: d.n }, (_, i) => i / 7);
      native!.addLeaves(idx, raw, bounds, values, threads);
      return bits(raw);
    });
    for (const r of raws) expect(r).toBe(raws[0]);
    expect(() => native!.addLeaves(badIdx, new Float64Array(d.n), Int32Array.of(0, d.n), Float64Array.of(1), 2)).toThrow(/row index out of range/);
  });

  test("the two-class and softmax losses: the same gradients, hessians and sums on any number of threads", () => {
    // More rows than one stretch of kept terms (131,072), so the sums run over several.
    const n = 140_003;
    const rng = new Rng(11);
    for (const k of [1, 3]) {
      const y = Float32Array.from({ length: n }, () => rng.nextInt(k === 1 ? 2 : k));
      // Large scores too, so running products are handed back several times.
      const raw = Float64Array.from({ length: k * n }, () => (rng.nextUint32() / 2 ** 32 - 0.5) * 10 ** rng.nextInt(3));
      const runs = counts.map((threads) => {
        const g = new Float32Array(k * n);
        const h = new Float32Array(k * n);
        const out = new Float64Array(4 + Math.ceil((n * Math.log2(Math.max(k, 2))) / 800));
        if (k === 1) native!.binomial(y, raw, g, h, true, out, threads);
        else native!.multinomial(y, raw, k, g, h, true, out, threads);
        expect(out[2]).toBeGreaterThan(0);
        return bits(g) + bits(h) + bits(out);
      });
      for (const r of runs) expect(r).toBe(runs[0]);
    }
    const y = new Float32Array(n);
    y[50_000] = 3;
    expect(() => native!.multinomial(y, new Float64Array(3 * n), 3, new Float32Array(3 * n), new Float32Array(3 * n), true, new Float64Array(1_000), 2)).toThrow(/class index out of range/);
  });

  test("a fit on the module's threads grows the one-thread model bit for bit: two classes, three, regression", async () => {
    const n = 90_000;
    const rng = new Rng(21);
    const columns = Array.from({ length: 7 }, () => Float32Array.from({ length: n }, () => (rng.nextInt(40) === 0 ? NaN : rng.nextInt(100_000) / 100)));
    const score = (i: number) => (columns[0][i] || 0) - (columns[1][i] || 0) + (columns[2][i] > 500 ? 300 : 0) + rng.nextInt(400);
    const s = Float32Array.from({ length: n }, (_, i) => score(i));
    for (const [task, classes] of [["classification", 2], ["classification", 3], ["regression", 0]] as const) {
      const y = task === "regression" ? s : Float32Array.from(s, (v) => Math.min(classes - 1, Math.max(0, Math.floor(v / (classes === 2 ? 500 : 400)))));
      // Early stopping on: a holdout of 9,000 rows, and the validation walk and loss on each tree.
      const base: TrainInput = { task, x: { n, columns, names: columns.map((_, j) => `x${j}`) }, y, classes: Array.from({ length: classes }, (_, c) => `c${c}`), seed: 3, params: { max_iter: 3, early_stopping: true, validation_fraction: 0.4 } };
      const states = [];
      for (const workers of [1, 2, 3]) {
        const model = await gradientBoosting.train({ ...base, params: { ...base.params, workers } });
        expect((model as { trainingThreads?: number }).trainingThreads).toBe(workers);
        states.push(JSON.stringify({ state: model.toJSON().state, history: (model as unknown as { history: unknown }).history }));
      }
      expect(states[1]).toBe(states[0]);
      expect(states[2]).toBe(states[0]);
    }
  });

  test("two threads of JavaScript splitting passes at once both get their results (the pool is one caller's at a time)", async () => {
    const code = `
      const { parentPort, workerData } = require("node:worker_threads");
      const m = require(workerData.file);
      const n = 200000, y = new Float32Array(n), raw = new Float64Array(n);
      for (let i = 0; i < n; i++) { y[i] = i % 2; raw[i] = Math.sin(i) * 5; }
      const results = [];
      for (let r = 0; r < 40; r++) {
        const g = new Float32Array(n), h = new Float32Array(n), out = new Float64Array(400);
        m.binomial(y, raw, g, h, true, out, 2);
        results.push(Buffer.from(g.buffer).toString("base64").length + ":" + out[0] + ":" + out[1] + ":" + g[123457] + ":" + h[99]);
      }
      parentPort.postMessage(results);
    `;
    const run = () =>
      new Promise<string[]>((resolve, reject) => {
        const w = new Worker(code, { eval: true, workerData: { file: nativeModuleFile() } });
        w.once("message", resolve);
        w.once("error", reject);
      });
    const [a, b] = await Promise.all([run(), run()]);
    expect(new Set([...a, ...b]).size).toBe(1);
  });
});
