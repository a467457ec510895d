import { describe, expect, test } from "vitest";
import { decisionTree } from "../../../../runtime/models/trees/decision-tree.js";
import type { Matrix, TrainInput } from "../../../../runtime/models/types.js";
import { accuracy, cars, penguins, r2, split } from "./datasets.js";

function input(d: { x: Matrix; y: Float32Array; classes: string[] }, extra: Partial<TrainInput> = {}): TrainInput {
  return { task: d.classes.length > 0 ? "classification" : "regression", x: d.x, y: d.y, classes: d.classes, params: {}, seed: 7, ...extra };
}

describe("decision_tree", () => {
  const { train, test: held } = split(penguins(), 0.7, 42);

  test("classifies penguin species with accuracy >= 0.9", async () => {
    const model = await decisionTree.train(input(train));
    expect(accuracy(model.predict(held.x), held.y)).toBeGreaterThanOrEqual(0.9);
    // A fully grown tree fits its training rows (the four measurements separate all penguins).
    expect(accuracy(model.predict(train.x), train.y)).toBe(1);
  });

  test("entropy criterion works too", async () => {
    const model = await decisionTree.train(input(train, { params: { criterion: "entropy" } }));
    expect(accuracy(model.predict(held.x), held.y)).toBeGreaterThanOrEqual(0.9);
  });

  test("regresses miles per gallon on cars", async () => {
    const c = split(cars(), 0.7, 42);
    const model = await decisionTree.train(input(c.train));
    expect(r2(model.predict(c.test.x), c.test.y)).toBeGreaterThanOrEqual(0.7);
  });

  test("max_depth 1 grows a stump with two leaves", async () => {
    const model = await decisionTree.train(input(train, { params: { max_depth: 1 } }));
    const json = model.toJSON();
    const tree = (json.state as { trees: { left: number[] }[] }).trees[0];
    expect(tree.left.length).toBe(3);
    expect(new Set(model.predict(held.x)).size).toBe(2);
  });

  test("min_samples_leaf bounds the leaf size", async () => {
    const model = await decisionTree.train(input(train, { params: { min_samples_leaf: 20 } }));
    const leaves = new Map<number, number>();
    const proba = model.predictProba!(train.x);
    // Rows sharing a leaf share a probability vector; count rows per distinct vector.
    for (let i = 0; i < train.x.n; i++) {
      const key = proba[i * 3] * 1e6 + proba[i * 3 + 1] * 1e3 + proba[i * 3 + 2];
      leaves.set(key, (leaves.get(key) ?? 0) + 1);
    }
    for (const rows of leaves.values()) expect(rows).toBeGreaterThanOrEqual(20);
  });

  test("learns from missingness and routes NaN at prediction", async () => {
    const n = 200;
    const a = Float32Array.from({ length: n }, (_, i) => (i % 2 === 0 ? NaN : i % 7));
    const y = Float32Array.from({ length: n }, (_, i) => i % 2);
    const model = await decisionTree.train(input({ x: { n, columns: [a], names: ["a"] }, y, classes: ["even", "odd"] }));
    expect(Array.from(model.predict({ n: 3, columns: [Float32Array.of(NaN, 3, 100)], names: ["a"] }))).toEqual([0, 1, 1]);
  });

  test("importance is non-negative and sums to 1", async () => {
    const model = await decisionTree.train(input(train));
    const imp = model.importance!();
    expect(imp.length).toBe(4);
    for (const v of imp) expect(v).toBeGreaterThanOrEqual(0);
    expect(imp.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
  });

  test("load(toJSON()) predicts identically, also after a JSON text round-trip", async () => {
    const model = await decisionTree.train(input(train));
    const again = decisionTree.load(JSON.parse(JSON.stringify(model.toJSON())));
    expect(again.predict(held.x)).toEqual(model.predict(held.x));
    expect(again.predictProba!(held.x)).toEqual(model.predictProba!(held.x));
    expect(again.importance!()).toEqual(model.importance!());
  });

  test("thresholds sit midway between the node's values on either side of the cut", async () => {
    // Root: a splits 0 from 1. Right of it, b takes only 0 and 10 although the training rows
    // hold every value 0..10: the cut must sit at 5 (the node's gap), not at 0.5 (the bin edge).
    const a: number[] = [];
    const b: number[] = [];
    const y: number[] = [];
    for (let v = 0; v <= 10; v++) for (let r = 0; r < 3; r++) (a.push(0), b.push(v), y.push(0));
    for (const v of [0, 10]) for (let r = 0; r < 5; r++) (a.push(1), b.push(v), y.push(v === 0 ? 1 : 2));
    const n = y.length;
    const model = await decisionTree.train(
      input({ x: { n, columns: [Float32Array.from(a), Float32Array.from(b)], names: ["a", "b"] }, y: Float32Array.from(y), classes: ["zero", "low", "high"] }),
    );
    const probe = { n: 4, columns: [Float32Array.of(1, 1, 1, 1), Float32Array.of(4, 4.99, 5.01, 6)], names: ["a", "b"] };
    expect(Array.from(model.predict(probe))).toEqual([1, 1, 2, 2]);
    const tree = (model.toJSON().state as { trees: { threshold: (number | null)[]; feature: number[] }[] }).trees[0];
    expect(tree.threshold[0]).toBe(0.5);
    expect(tree.threshold.filter((t, i) => tree.feature[i] === 1)).toEqual([5]);
  });

  test("quantile bins put thresholds inside the gap between the bins' training values", async () => {
    // 16 quantile bins of 125 values: the 9th bin ends at 1000, the next starts at 6001.
    const n = 2000;
    const v = Float32Array.from({ length: n }, (_, i) => (i <= 1000 ? i : i + 5000));
    const y = Float32Array.from({ length: n }, (_, i) => (i <= 1000 ? 0 : 1));
    const model = await decisionTree.train(input({ x: { n, columns: [v], names: ["v"] }, y, classes: ["a", "b"] }, { params: { max_bins: 16 } }));
    const tree = (model.toJSON().state as { trees: { threshold: number[] }[] }).trees[0];
    expect(tree.threshold[0]).toBe(3500.5);
  });

  test("max_bins above 255 splits between every pair of distinct values (exact on small data)", async () => {
    // 600 distinct values whose class flips every 50: 255 quantile bins would merge some flips.
    const n = 600;
    const v = Float32Array.from({ length: n }, (_, i) => (i * 37) % n);
    const y = Float32Array.from(v, (x) => Math.floor((x + 3) / 50) % 2);
    const d = { x: { n, columns: [v], names: ["v"] }, y, classes: ["a", "b"] };
    const exact = await decisionTree.train(input(d, { params: { max_bins: 1024 } }));
    expect(accuracy(exact.predict(d.x), y)).toBe(1);
    const coarse = await decisionTree.train(input(d, { params: { max_bins: 8 } }));
    expect(accuracy(coarse.predict(d.x), y)).toBeLessThan(1);
  });

  test("rejects bad parameters and a model of another kind", async () => {
    await expect(decisionTree.train(input(train, { params: { max_bins: 70000 } }))).rejects.toThrow(/max_bins/);
    await expect(decisionTree.train(input(train, { params: { max_bins: 1 } }))).rejects.toThrow(/max_bins/);
    await expect(decisionTree.train(input(train, { params: { criterion: "mse" } }))).rejects.toThrow(/criterion/);
    const json = (await decisionTree.train(input(train))).toJSON();
    expect(() => decisionTree.load({ ...json, kind: "random_forest" })).toThrow(/cannot load/);
  });
});
