import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ChunkFile } from "../../../../runtime/models/trees/chunk-file.js";
import { decisionTree } from "../../../../runtime/models/trees/decision-tree.js";
import { Rng } from "../../../../runtime/models/trees/prng.js";
import { randomForest } from "../../../../runtime/models/trees/random-forest.js";
import { binToChunks, streamedEdges } from "../../../../runtime/models/trees/streamed-binning.js";
import { poissonWeight, StreamedCartGrower } from "../../../../runtime/models/trees/streamed-tree.js";
import { lastStreamedEnsemble } from "../../../../runtime/models/trees/train-ensemble.js";
import { resolveTreeOptions } from "../../../../runtime/models/trees/tree-options.js";
import type { Matrix, Task, TrainedModel } from "../../../../runtime/models/types.js";
import { arrayBlocks } from "../array-blocks.js";
import { tempDir } from "../../../helpers.js";

const n = 5_000;
const rng = new Rng(9);
const columns = [
  Float32Array.from({ length: n }, () => rng.nextInt(10_000) / 100),
  Float32Array.from({ length: n }, (_, i) => (i % 11 === 0 ? NaN : rng.nextInt(10_000) / 100)),
  Float32Array.from({ length: n }, () => rng.nextInt(8)),
];
const x: Matrix = { n, columns, names: ["x0", "x1", "x2"] };
const t = Float32Array.from({ length: n }, (_, i) => columns[0][i] + 10 * columns[2][i] + (columns[1][i] === columns[1][i] ? -0.5 * columns[1][i] : 30) + rng.nextInt(20));
const cls = t.map((v) => (v > 80 ? 2 : v > 50 ? 1 : 0));

const accuracy = (m: TrainedModel) => m.predict(x).reduce((s, p, i) => s + (p === cls[i] ? 1 : 0), 0) / n;
const r2 = (m: TrainedModel) => {
  const p = m.predict(x);
  const mean = t.reduce((s, v) => s + v, 0) / n;
  let res = 0;
  let tot = 0;
  for (let i = 0; i < n; i++) {
    res += (t[i] - p[i]) ** 2;
    tot += (t[i] - mean) ** 2;
  }
  return 1 - res / tot;
};

/** A tree's nodes as (depth-first path → cut or leaf values): the same tree whatever order its nodes were numbered in. */
function sortedNodes(tree: { feature: Int32Array; threshold: Float32Array; left: Int32Array; right: Int32Array; missingLeft: Uint8Array; values: Float64Array }, k = 3): string[] {
  const out: string[] = [];
  const walk = (id: number, path: string) => {
    if (tree.feature[id] < 0) {
      out.push(`${path} leaf ${Array.from(tree.values.subarray(tree.right[id], tree.right[id] + k)).join(",")}`);
      return;
    }
    out.push(`${path} ${tree.feature[id]} ${tree.threshold[id]} ${tree.missingLeft[id]}`);
    walk(tree.left[id], `${path}L`);
    walk(tree.right[id], `${path}R`);
  };
  walk(0, "");
  return out.sort();
}

describe("trees and forests grown level by level over a chunk file", () => {
  it("classify and regress as well as in memory, the same trees for the same seed, never holding every row's cells", async () => {
    // The chunk files go to LATHE_TEMP_DIR: a folder of this test's own, empty again after every fit.
    const spill = tempDir();
    const before = process.env.LATHE_TEMP_DIR;
    process.env.LATHE_TEMP_DIR = spill;
    const during: string[][] = [];
    for (const [learner, params] of [[decisionTree, { max_depth: 8 }], [randomForest, { trees: 5, max_depth: 10 }]] as const) {
      for (const task of ["classification", "regression"] as Task[]) {
        const y = task === "classification" ? cls : t;
        const classes = task === "classification" ? ["lo", "mid", "hi"] : [];
        const streamed = (seed: number) => learner.trainStreamed!({ task, data: arrayBlocks(columns, y, 500), classes, params, seed, onProgress: () => during.push(readdirSync(spill)) });
        const a = (await streamed(1))!;
        expect(a.method).toBe("streamed");
        // Level by level over chunks of a few hundred rows: the root's pass, then a pass per level until the nodes are small enough to gather.
        expect(lastStreamedEnsemble.passes).toBeGreaterThanOrEqual(2);
        expect(lastStreamedEnsemble.chunks).toBeGreaterThan(5);
        expect(lastStreamedEnsemble.codeBytes).toBeLessThan((n * columns.length) / 5);
        const b = (await streamed(1))!;
        expect(b.toJSON().state).toEqual(a.toJSON().state);
        const inMemory = await learner.train({ task, x, y, classes, params, seed: 1 });
        if (task === "classification") {
          expect(Math.abs(accuracy(a) - accuracy(inMemory))).toBeLessThan(0.02);
          expect(accuracy(a)).toBeGreaterThan(0.9);
        } else {
          expect(Math.abs(r2(a) - r2(inMemory))).toBeLessThan(0.02);
          expect(r2(a)).toBeGreaterThan(0.95);
        }
        if (learner === randomForest) expect((await streamed(2))!.toJSON().state).not.toEqual(a.toJSON().state);
      }
    }
    if (before === undefined) delete process.env.LATHE_TEMP_DIR;
    else process.env.LATHE_TEMP_DIR = before;
    expect(during[0]).toEqual([expect.stringMatching(/^lathe-chunks-/)]);
    expect(readdirSync(spill)).toEqual([]);
  });

  it("grows the same tree whatever the number of nodes a pass builds histograms for, and from small nodes' gathered rows", async () => {
    const data = arrayBlocks(columns, cls, 1000);
    const binning = await streamedEdges(data, 255, n, 3);
    const file = new ChunkFile(n, 700, { bins: 3, y: 4, node: 4 });
    try {
      await binToChunks(data, binning, file);
      const options = resolveTreeOptions({ criterion: "auto", max_depth: 12, min_samples_split: 2, min_samples_leaf: 1, max_features: "sqrt", bootstrap: true }, "classification", 3, 3);
      const grow = (bytes: number, gather = true) => {
        const grower = new StreamedCartGrower({ features: 3, ...binning }, options, file, bytes, 1, gather);
        return { tree: grower.grow(17), passes: grower.passes };
      };
      const wide = grow(1 << 30);
      const narrow = grow(1);
      expect(narrow.tree).toEqual(wide.tree);
      expect(narrow.passes).toBeGreaterThan(wide.passes);
      // Small nodes grown from their gathered rows: the tree every node's histograms give, in far fewer passes.
      const levels = grow(1 << 30, false);
      expect(levels.tree.feature.length).toBe(wide.tree.feature.length);
      expect(sortedNodes(levels.tree)).toEqual(sortedNodes(wide.tree));
      expect(wide.passes).toBeLessThan(levels.passes / 2);
      expect(levels.passes).toBeGreaterThanOrEqual(12);
    } finally {
      file.close();
    }
  });

  it("weighs rows by seeded Poisson(1) draws for the bootstrap: mean 1, about e⁻¹ of them left out", () => {
    const w = Array.from({ length: 100_000 }, (_, i) => poissonWeight(42, i));
    const mean = w.reduce((s, v) => s + v, 0) / w.length;
    expect(Math.abs(mean - 1)).toBeLessThan(0.01);
    expect(Math.abs(w.filter((v) => v === 0).length / w.length - Math.exp(-1))).toBeLessThan(0.01);
    expect(poissonWeight(42, 7)).toBe(w[7]);
  });
});
