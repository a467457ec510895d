import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { binColumns } from "../../../../runtime/models/trees/binning.js";
import { TreeGrower, type TreeArrays } from "../../../../runtime/models/trees/tree-builder.js";
import type { TreeOptions } from "../../../../runtime/models/trees/tree-options.js";
import { nativeTrees } from "../../../../runtime/models/native-engine.js";
import { decisionTree } from "../../../../runtime/models/trees/decision-tree.js";
import { Rng } from "../../../../runtime/models/trees/prng.js";
import { randomForest } from "../../../../runtime/models/trees/random-forest.js";

/** Weighted impurity (n × impurity) of a set of targets, computed the slow, obvious way. */
function cost(ys: number[], task: "classification" | "regression"): number {
  if (ys.length === 0) return 0;
  if (task === "regression") {
    const mean = ys.reduce((s, v) => s + v, 0) / ys.length;
    return ys.reduce((s, v) => s + (v - mean) ** 2, 0);
  }
  const counts = new Map<number, number>();
  for (const v of ys) counts.set(v, (counts.get(v) ?? 0) + 1);
  let sq = 0;
  for (const c of counts.values()) sq += c * c;
  return ys.length - sq / ys.length;
}

/** Rows of `rows` reaching `node`'s subtree root after following `tree` from the root. */
function rowsAt(tree: TreeArrays, columns: Float32Array[], n: number): Map<number, number[]> {
  const at = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    let node = 0;
    for (;;) {
      at.set(node, [...(at.get(node) ?? []), i]);
      if (tree.left[node] === -1) break;
      const v = columns[tree.feature[node]][i];
      node = v <= tree.threshold[node] || (v !== v && tree.missingLeft[node] === 1) ? tree.left[node] : tree.right[node];
    }
  }
  return at;
}

/** The best impurity decrease any "x <= edge" cut (missing left or right) achieves on `rows`. */
function bestDecrease(rows: number[], columns: Float32Array[], edges: Float32Array[], y: Float32Array, task: "classification" | "regression"): number {
  const parent = cost(rows.map((i) => y[i]), task);
  let best = -Infinity;
  for (let f = 0; f < columns.length; f++) {
    for (const t of [...edges[f], Infinity]) {
      for (const missingLeft of [false, true]) {
        const l: number[] = [];
        const r: number[] = [];
        for (const i of rows) {
          const v = columns[f][i];
          (v <= t || (v !== v && missingLeft) ? l : r).push(y[i]);
        }
        if (l.length === 0 || r.length === 0) continue;
        best = Math.max(best, parent - cost(l, task) - cost(r, task));
      }
    }
  }
  return best;
}

function options(task: "classification" | "regression", features: number, maxDepth: number): TreeOptions {
  return {
    task,
    classes: task === "classification" ? 3 : 1,
    criterion: task === "classification" ? "gini" : "squared_error",
    maxDepth,
    minSamplesSplit: 2,
    minSamplesLeaf: 1,
    maxFeatures: features,
    bootstrap: false,
  };
}

/** Every internal node's cut is the best available to its rows (exhaustive search agrees). */
function checkOptimal(columns: Float32Array[], y: Float32Array, task: "classification" | "regression", maxDepth: number, seed: number): void {
  const n = y.length;
  const binned = binColumns(columns, n, 255);
  const tree = new TreeGrower({ binned, y }, options(task, columns.length, maxDepth)).grow(seed);
  const at = rowsAt(tree, columns, n);
  for (let node = 0; node < tree.feature.length; node++) {
    const rows = at.get(node) ?? [];
    expect(rows.length).toBeGreaterThan(0);
    if (tree.left[node] === -1) continue;
    const left = at.get(tree.left[node])!.map((i) => y[i]);
    const right = at.get(tree.right[node])!.map((i) => y[i]);
    const achieved = cost(rows.map((i) => y[i]), task) - cost(left, task) - cost(right, task);
    const best = bestDecrease(rows, columns, binned.edges, y, task);
    expect(achieved).toBeCloseTo(best, 6);
  }
}

const cell = fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 0, max: 6 }) }, { weight: 1, arbitrary: fc.constant(NaN) });

describe("TreeGrower", () => {
  test("small trees pick the best cut at every node (classification and regression, with NaN)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }).chain((f) =>
          fc.array(fc.tuple(fc.array(cell, { minLength: f, maxLength: f }), fc.integer({ min: 0, max: 2 })), { minLength: 2, maxLength: 40 }),
        ),
        fc.constantFrom<"classification" | "regression">("classification", "regression"),
        fc.integer({ min: 0, max: 1000 }),
        (rows, task, seed) => {
          const f = rows[0][0].length;
          const columns = Array.from({ length: f }, (_, j) => Float32Array.from(rows, (r) => r[0][j]));
          const y = Float32Array.from(rows, (r) => (task === "classification" ? r[1] : r[1] * 1.5 + (r[0][0] || 0)));
          checkOptimal(columns, y, task, 3, seed);
        },
      ),
      { numRuns: 150 },
    );
  });

  test("nodes large enough for histogram subtraction still pick the best cut", () => {
    const n = 900;
    const columns = [0, 1, 2].map((j) => Float32Array.from({ length: n }, (_, i) => ((i * (31 + 14 * j)) % (50 + j * 40)) / 3));
    columns[2][17] = NaN;
    columns[2][400] = NaN;
    const cls = Float32Array.from({ length: n }, (_, i) => (columns[0][i] + columns[1][i] > 20 ? 1 : columns[1][i] > 8 ? 2 : 0));
    checkOptimal(columns, cls, "classification", 4, 1);
    const reg = Float32Array.from({ length: n }, (_, i) => Math.sin(columns[0][i]) + (columns[2][i] || 0) / 10);
    checkOptimal(columns, reg, "regression", 4, 1);
  });

  test("a grown tree reproduces bit for bit from its seed", () => {
    const n = 500;
    const columns = [Float32Array.from({ length: n }, (_, i) => (i * 7) % 13), Float32Array.from({ length: n }, (_, i) => (i * 5) % 11)];
    const y = Float32Array.from({ length: n }, (_, i) => (i * 3) % 3);
    const binned = binColumns(columns, n, 255);
    const opts = { ...options("classification", 2, 0), maxFeatures: 1, bootstrap: true };
    const a = new TreeGrower({ binned, y }, opts).grow(99);
    const b = new TreeGrower({ binned, y }, opts).grow(99);
    expect(b).toEqual(a);
  });

  test("growYielding grows grow's tree while the event loop turns, and stops on abort", async () => {
    const n = 50_000;
    const rng = new Rng(4);
    const columns = Array.from({ length: 4 }, () => Float32Array.from({ length: n }, () => rng.nextInt(100_000) / 7));
    const y = Float32Array.from({ length: n }, () => rng.nextInt(3));
    const binned = binColumns(columns, n, 255);
    const opts = { ...options("classification", 4, 0), maxFeatures: 2, bootstrap: true };
    const expected = new TreeGrower({ binned, y }, opts).grow(7);
    // Noise labels: a deep tree of tens of thousands of nodes, long enough to hand out several turns.
    expect(expected.feature.length).toBeGreaterThan(10_000);
    // A turn every 64 nodes (everyMs 0), whatever the machine's speed.
    let turns = 0;
    const ticker = setInterval(() => turns++, 0);
    const grown = await new TreeGrower({ binned, y }, opts).growYielding(7, undefined, 0);
    clearInterval(ticker);
    expect(grown).toEqual(expected);
    expect(turns).toBeGreaterThan(2);
    expect(await new TreeGrower({ binned, y }, opts).growYielding(7)).toEqual(expected);
    // An abort while it grows ends it at the next turn.
    const controller = new AbortController();
    setImmediate(() => controller.abort());
    await expect(new TreeGrower({ binned, y }, opts).growYielding(7, controller.signal, 0)).rejects.toMatchObject({ name: "AbortError" });
  });

  test("rejects a class index out of range and a non-finite regression target", () => {
    const binned = binColumns([Float32Array.of(1, 2)], 2, 255);
    expect(() => new TreeGrower({ binned, y: Float32Array.of(0, 3) }, options("classification", 1, 0))).toThrow(/class index 3/);
    expect(() => new TreeGrower({ binned, y: Float32Array.of(0, NaN) }, options("regression", 1, 0))).toThrow(/not a finite/);
  });
});

describe.skipIf(!nativeTrees())("the native tree kernels (one-feature histogram, partition)", () => {
  test("grow the same forests and trees as the JavaScript loops, byte and 16-bit bins, both tasks", async () => {
    const rng = new Rng(3);
    const n = 6_000;
    // Nodes large enough for the native path (≥ 512 rows) near the root, small ones deeper down.
    const columns = Array.from({ length: 4 }, (_, j) => Float32Array.from({ length: n }, () => (rng.nextInt(15) === 0 ? NaN : j === 0 ? rng.nextInt(500) : rng.nextUint32() / 2 ** 32)));
    const score = (i: number) => (columns[0][i] || 3) + 100 * (columns[1][i] || 0.5) + rng.nextInt(60);
    const targets = { classification: Float32Array.from({ length: n }, (_, i) => score(i) % 3 | 0), regression: Float32Array.from({ length: n }, (_, i) => score(i)) };
    const x = { n, names: columns.map((_, j) => `x${j}`), columns };
    const models = async () => {
      const out: string[] = [];
      for (const [learner, params] of [[randomForest, { trees: 2, workers: 1 }], [decisionTree, { max_depth: 8 }], [decisionTree, { max_depth: 8, max_bins: 1000 }]] as const) {
        for (const task of ["classification", "regression"] as const) {
          const m = await learner.train({ x, y: targets[task], task, classes: task === "classification" ? ["a", "b", "c"] : [], params, seed: 7 });
          out.push(JSON.stringify(m.toJSON().state));
        }
      }
      return out;
    };
    const saved = process.env.LATHE_KERNELS;
    try {
      process.env.LATHE_KERNELS = "js";
      const js = await models();
      delete process.env.LATHE_KERNELS;
      expect(await models()).toEqual(js);
    } finally {
      if (saved === undefined) delete process.env.LATHE_KERNELS;
      else process.env.LATHE_KERNELS = saved;
    }
  });
});
