import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { gradientBoosting } from "../../../../runtime/models/trees/gradient-boosting.js";
import { lastStreamedBoosting, trainBoostingStreamed } from "../../../../runtime/models/trees/streamed-boosting.js";
import { Rng } from "../../../../runtime/models/trees/prng.js";
import type { ParamValue, Task, TrainedModel } from "../../../../runtime/models/types.js";
import { arrayBlocks } from "../array-blocks.js";
import { tempDir } from "../../../helpers.js";

const n = 6_000;
const rng = new Rng(3);
// Five features, one with missing values, a few distinct values in another (exact bins).
const columns = [
  Float32Array.from({ length: n }, () => rng.nextInt(10_000) / 100),
  Float32Array.from({ length: n }, () => rng.nextInt(10_000) / 100),
  Float32Array.from({ length: n }, (_, i) => (i % 13 === 0 ? NaN : rng.nextInt(10_000) / 100)),
  Float32Array.from({ length: n }, () => rng.nextInt(6)),
  Float32Array.from({ length: n }, () => rng.nextInt(10_000) / 100),
];
const score = (i: number) => columns[0][i] - columns[1][i] + 20 * columns[3][i] + (columns[2][i] === columns[2][i] ? 0.5 * columns[2][i] : 40) + (rng.nextInt(100) - 50) / 5;
const t = Float32Array.from({ length: n }, (_, i) => score(i));
const targets: Record<string, { task: Task; y: Float32Array; classes: string[] }> = {
  regression: { task: "regression", y: t, classes: [] },
  binary: { task: "classification", y: t.map((v) => (v > 80 ? 1 : 0)), classes: ["a", "b"] },
  three: { task: "classification", y: t.map((v) => (v > 100 ? 2 : v > 60 ? 1 : 0)), classes: ["lo", "mid", "hi"] },
};


async function both(name: string, params: Record<string, ParamValue>, blockRows: number, seed = 5, onProgress?: () => void, gatherBytes?: number) {
  const { task, y, classes } = targets[name];
  const all = { ...gradientBoosting.defaults, ...params };
  const inMemory = await gradientBoosting.train({ task, x: { n, columns, names: columns.map((_, j) => `x${j}`) }, y, classes, params: all, seed });
  const streamed = await trainBoostingStreamed({ task, data: arrayBlocks(columns, y, blockRows), classes, params: all, seed, onProgress }, gatherBytes);
  return { inMemory, streamed };
}

/** The model's trees and baseline: the state without its method and curve (compared on their own). */
const state = (m: TrainedModel) => {
  const { method: _m, history: _h, ...rest } = m.toJSON().state as Record<string, unknown>;
  return rest;
};

describe("gradient_boosting on streamed rows", () => {
  it("grows the in-memory trees bit for bit from a chunk file, never holding every row's codes", async () => {
    // The chunk files go to LATHE_TEMP_DIR: a folder of this test's own, empty again after every fit.
    const spill = tempDir();
    const before = process.env.LATHE_TEMP_DIR;
    process.env.LATHE_TEMP_DIR = spill;
    // 3,000-row blocks: the edge sample (two blocks) holds every training row, so the bins are the in-memory ones.
    const passes: number[] = [];
    for (const name of Object.keys(targets)) {
      for (const early_stopping of [false, true]) {
        // Nodes' rows gathered in memory (by default every row here: one pass a tree), some of them, or none (a pass per level).
        for (const gatherBytes of [undefined, 20_000, 0]) {
          const during: string[][] = [];
          const { inMemory, streamed } = await both(name, { max_iter: 12, early_stopping, n_iter_no_change: 2, max_leaf_nodes: 15 }, 3000, 5, () => during.push(readdirSync(spill)), gatherBytes);
          // While it trains, its chunk file is there.
          expect(during[0]).toEqual([expect.stringMatching(/^lathe-chunks-/)]);
          expect(streamed.method).toBe(`${inMemory.method}, streamed`);
          expect(state(streamed)).toEqual(state(inMemory));
          // The validation losses are the in-memory ones exactly; the training losses are sums over chunks, equal to rounding.
          expect(streamed.history!.map((h) => [h.step, h.valLoss])).toEqual(inMemory.history!.map((h) => [h.step, h.valLoss]));
          streamed.history!.forEach((h, i) => expect(h.loss).toBeCloseTo(inMemory.history![i].loss, 9));
          passes.push(lastStreamedBoosting.passes);
        }
        // The codes were held a chunk at a time: several chunks, none of them all the rows.
        expect(lastStreamedBoosting.chunks).toBeGreaterThan(3);
        expect(lastStreamedBoosting.codeBytes).toBeLessThan((lastStreamedBoosting.rows * columns.length) / 3);
        expect(lastStreamedBoosting.codeBytes).toBe(lastStreamedBoosting.chunkRows * columns.length);
      }
    }
    if (before === undefined) delete process.env.LATHE_TEMP_DIR;
    else process.env.LATHE_TEMP_DIR = before;
    expect(readdirSync(spill)).toEqual([]);
    // Gathering saves passes: all rows held, some, none.
    for (let c = 0; c < passes.length; c += 3) {
      expect(passes[c]).toBeLessThanOrEqual(passes[c + 1]);
      expect(passes[c + 1]).toBeLessThanOrEqual(passes[c + 2]);
      expect(passes[c]).toBeLessThan(passes[c + 2] / 3);
    }
    expect(passes.some((p, i) => i % 3 === 1 && p < passes[i + 1])).toBe(true);
  });

  it("builds a tree's histograms in about a pass per level, not one per split whose children were not built", async () => {
    // No rows gathered: every histogram comes from a pass. 31 leaves, as in the defaults.
    const max_iter = 4;
    const { inMemory, streamed } = await both("binary", { max_iter, early_stopping: false, max_leaf_nodes: 31 }, 3000, 5, undefined, 0);
    expect(state(streamed)).toEqual(state(inMemory));
    const trees = (inMemory.toJSON().state as { trees: { feature: number[]; left: number[]; right: number[] }[] }).trees;
    const depth = (t: (typeof trees)[number], i = 0): number => (t.feature[i] < 0 ? 0 : 1 + Math.max(depth(t, t.left[i]), depth(t, t.right[i])));
    const depths = trees.map((t) => depth(t));
    // A pass per iteration brings the gradients up to date (one more scores the last trees); a tree then takes one
    // for the root's histograms and one per level whose nodes' children need histograms — not one per such split.
    const levels = depths.reduce((sum, d) => sum + d + 1, 0);
    const splits = trees.reduce((sum, t) => sum + t.feature.filter((f) => f >= 0).length, 0);
    expect(lastStreamedBoosting.passes).toBeLessThanOrEqual(max_iter + 1 + levels);
    expect(levels).toBeLessThan(splits / 2);
  });

  it("with edges from a smaller sample: the same model for the same seed, another for another seed, still accurate", async () => {
    const params = { max_iter: 6, early_stopping: false };
    const { inMemory, streamed } = await both("three", params, 600);
    const again = await both("three", params, 600);
    const other = await both("three", params, 600, 6);
    expect(state(again.streamed)).toEqual(state(streamed));
    expect(state(other.streamed)).not.toEqual(state(streamed));
    expect(lastStreamedBoosting.chunks).toBeGreaterThan(15);
    const x = { n, columns, names: columns.map((_, j) => `x${j}`) };
    const accuracy = (m: TrainedModel) => m.predict(x).reduce((s, p, i) => s + (p === targets.three.y[i] ? 1 : 0), 0) / n;
    expect(Math.abs(accuracy(streamed) - accuracy(inMemory))).toBeLessThan(0.02);
    expect(accuracy(streamed)).toBeGreaterThan(0.8);
  });
});
