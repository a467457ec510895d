import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { forestSums, packedSums as sumsOverPacked, packForest, packRows, type TreeNodes } from "../../../../runtime/models/scoring/packed-forest.js";
import { decisionTree } from "../../../../runtime/models/trees/decision-tree.js";
import { randomForest } from "../../../../runtime/models/trees/random-forest.js";
import { Rng } from "../../../../runtime/models/trees/prng.js";
import type { Matrix, Task } from "../../../../runtime/models/types.js";

/**
 * The scorer this one replaced, kept as the definition: each row walks each tree from the root,
 * left when x <= threshold, or when x is NaN and the node sends missing values left; the leaves'
 * outputs are summed over the trees in tree order.
 */
function referenceSums(trees: TreeNodes[], k: number, x: Matrix): Float64Array {
  const sum = new Float64Array(x.n * k);
  for (const t of trees) {
    for (let i = 0; i < x.n; i++) {
      let node = 0;
      while (t.left[node] !== -1) {
        const v = x.columns[t.feature[node]][i];
        if (v <= t.threshold[node]) node = t.left[node];
        else if (v !== v && t.missingLeft[node] === 1) node = t.left[node];
        else node = t.right[node];
      }
      for (let c = 0; c < k; c++) sum[i * k + c] += t.values[t.right[node] + c];
    }
  }
  return sum;
}

function packedSums(trees: TreeNodes[], k: number, x: Matrix, blockRows?: number): Float64Array {
  const sum = new Float64Array(x.n * k);
  forestSums(packForest(trees, k, x.columns.length), x, 0, x.n, sum, blockRows);
  return sum;
}

/** The same bits, NaN payloads and signed zeros included. */
function expectSameBits(a: Float64Array | Float32Array, b: Float64Array | Float32Array): void {
  expect(Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength))).toBe(true);
}

/** Seeded rows over `features` columns: small integers (many ties with thresholds), NaN, ±Infinity, -0 and fractions. */
function rows(n: number, features: number, seed: number, missing: number): Matrix {
  const rng = new Rng(seed);
  const special = [NaN, Infinity, -Infinity, -0, 0];
  const columns = Array.from({ length: features }, () =>
    Float32Array.from({ length: n }, () => {
      const u = rng.nextUint32() / 2 ** 32;
      if (u < missing) return NaN;
      if (u < missing + 0.02) return special[Math.floor(rng.nextUint32() / 2 ** 32 * special.length)];
      return u < 0.6 ? Math.floor(rng.nextUint32() / 2 ** 32 * 8) : rng.nextUint32() / 2 ** 32 * 10 - 2;
    }),
  );
  return { n, columns, names: columns.map((_, j) => `f${j}`) };
}

/** A target learnable from the rows, missingness included, so trees grow deep and send NaN both ways. */
function target(x: Matrix, task: Task, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: x.n }, (_, i) => {
    const a = x.columns[0][i];
    const b = x.columns[1][i];
    const raw = (a !== a ? 3 : a) + (b !== b ? -2 : b * 0.5) + (rng.nextUint32() / 2 ** 32) * 2;
    const score = Number.isFinite(raw) ? raw : 1;
    return task === "classification" ? (score > 4 ? 2 : score > 2 ? 1 : 0) : score;
  });
}

describe("packed forest scoring", () => {
  test("trained forests and single trees score to the bit as the tree-by-tree walk, with NaN, ±Infinity and ties", async () => {
    const train = rows(600, 3, 1, 0.15);
    const scored = rows(1003, 3, 2, 0.2);
    for (const task of ["classification", "regression"] as const) {
      const y = target(train, task, 3);
      const classes = task === "classification" ? ["a", "b", "c"] : [];
      const k = task === "classification" ? 3 : 1;
      for (const learner of [randomForest, decisionTree]) {
        const model = await learner.train({ task, x: train, y, classes, params: learner === randomForest ? { trees: 7 } : {}, seed: 5 });
        const trees = (model as unknown as { trees: TreeNodes[] }).trees;
        expect(trees.some((t) => Array.from(t.missingLeft).some((m, i) => m === 1 && t.left[i] !== -1))).toBe(true);
        expect(trees.some((t) => Array.from(t.missingLeft).some((m, i) => m === 0 && t.left[i] !== -1))).toBe(true);
        const reference = referenceSums(trees, k, scored);
        // Scored whole, in blocks of a few rows (a block boundary inside a group of four), and
        // with the missing values only in some blocks (each block picks its own walk).
        expectSameBits(packedSums(trees, k, scored), reference);
        expectSameBits(packedSums(trees, k, scored, 7), reference);
        // One row per block: each row walks the trees four at a time (how a served row is scored).
        expectSameBits(packedSums(trees, k, scored, 1), reference);
        const someMissing = { ...scored, columns: scored.columns.map((c) => c.map((v, i) => (i < 500 && v !== v ? 1.5 : v))) };
        expectSameBits(packedSums(trees, k, someMissing, 64), referenceSums(trees, k, someMissing));
        // Rows packed once and scored tree by tree (gradient boosting's validation rows), whole and in blocks.
        for (const blockRows of [undefined, 7]) {
          const once = packRows(scored);
          const sum = new Float64Array(scored.n * k);
          for (const tree of trees) sumsOverPacked(packForest([tree], k, scored.columns.length), once, sum, blockRows);
          expectSameBits(sum, reference);
        }
        // Through the model's own methods: the averages, classes and probabilities.
        const t = trees.length;
        const mean = Float32Array.from(reference, (s) => s / t);
        if (task === "regression") expectSameBits(model.predict(scored), mean);
        else {
          expectSameBits(model.predictProba!(scored), mean);
          const both = model.predictWithProba!(scored);
          expectSameBits(both.probabilities, mean);
          expectSameBits(both.predictions, model.predict(scored));
        }
      }
    }
  });

  test("any tree shape, threshold and missing-value direction scores as the walk does", () => {
    // A random tree grown from the root: each node a leaf or a split on a random feature.
    const treeArb = (features: number, k: number) =>
      fc.array(fc.record({ leaf: fc.boolean(), feature: fc.nat(features - 1), threshold: fc.oneof(fc.constant(Infinity), fc.integer({ min: -1, max: 8 }), fc.float({ noNaN: true })), missingLeft: fc.boolean(), value: fc.double({ noNaN: true, min: -5, max: 5 }) }), { minLength: 1, maxLength: 60 }).map((specs) => {
        const feature: number[] = [];
        const threshold: number[] = [];
        const left: number[] = [];
        const right: number[] = [];
        const missingLeft: number[] = [];
        const values: number[] = [];
        let used = 0;
        // Breadth first: node i's children are the next two specs while specs last.
        const queue = [used++];
        while (queue.length) {
          const id = queue.shift()!;
          const s = specs[id % specs.length];
          if (s.leaf || used + 2 > specs.length) {
            feature[id] = -1;
            threshold[id] = 0;
            left[id] = -1;
            right[id] = values.length;
            missingLeft[id] = 0;
            // Outputs whose sums round, so adding them in another order than the trees' shows.
            for (let c = 0; c < k; c++) values.push((s.value + 0.1 * (id + 1)) / (c + 3));
          } else {
            const l = used++;
            const r = used++;
            feature[id] = s.feature;
            threshold[id] = Math.fround(s.threshold);
            left[id] = l;
            right[id] = r;
            missingLeft[id] = s.missingLeft ? 1 : 0;
            queue.push(l, r);
          }
        }
        return { feature: Int32Array.from(feature), threshold: Float32Array.from(threshold), left: Int32Array.from(left), right: Int32Array.from(right), missingLeft: Uint8Array.from(missingLeft), values: Float64Array.from(values) };
      });
    const caseArb = fc
      .tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 2 }))
      .chain(([features, k]) => fc.tuple(fc.constant(features), fc.constant(k), fc.array(treeArb(features, k), { minLength: 1, maxLength: 9, size: "medium" }), fc.integer({ min: 1, max: 40 }), fc.nat(), fc.constantFrom(0, 0.05, 0.3)));
    fc.assert(
      fc.property(caseArb, ([features, k, trees, blockRows, seed, missing]) => {
        const x = rows(37, features, seed, missing);
        expectSameBits(packedSums(trees, k, x, blockRows), referenceSums(trees, k, x));
      }),
      { numRuns: 200, seed: 9 },
    );
  });

  test("a graph with a node reached twice is refused, not scored past its buffer", () => {
    const shared = { feature: Int32Array.of(0, 0, -1), threshold: Float32Array.of(1, 2, 0), left: Int32Array.of(1, 2, -1), right: Int32Array.of(2, 2, 0), missingLeft: Uint8Array.of(0, 0, 0), values: Float64Array.of(1) };
    expect(() => packForest([shared], 1, 1)).toThrow(/malformed/);
  });
});
