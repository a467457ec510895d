import { describe, expect, test } from "vitest";
import { randomForest } from "../../../../runtime/models/trees/random-forest.js";
import type { TrainInput, TrainProgress } from "../../../../runtime/models/types.js";
import { accuracy, cars, penguins, r2, split, type Dataset } from "./datasets.js";

function input(d: Dataset, extra: Partial<TrainInput> = {}): TrainInput {
  return { task: d.classes.length > 0 ? "classification" : "regression", x: d.x, y: d.y, classes: d.classes, params: {}, seed: 11, ...extra };
}

describe("random_forest", () => {
  const { train, test: held } = split(penguins(), 0.7, 42);
  const small = { trees: 25 };

  test("classifies penguin species with accuracy >= 0.95", async () => {
    const model = await randomForest.train(input(train));
    expect(accuracy(model.predict(held.x), held.y)).toBeGreaterThanOrEqual(0.95);
  });

  test("regresses miles per gallon on cars with R² >= 0.8", async () => {
    const c = split(cars(), 0.7, 42);
    const model = await randomForest.train(input(c.train));
    expect(r2(model.predict(c.test.x), c.test.y)).toBeGreaterThanOrEqual(0.8);
  });

  test("releaseColumns: the columns are emptied once binned, and the forest is the same", async () => {
    const own = { ...train.x, columns: train.x.columns.map((c) => c.slice()) };
    const kept = await randomForest.train(input(train, { params: small }));
    const released = await randomForest.train(input({ ...train, x: own }, { params: small, releaseColumns: true }));
    expect(own.columns).toHaveLength(0);
    expect(train.x.columns).toHaveLength(4);
    expect(released.toJSON()).toEqual(kept.toJSON());
  });

  test("the same seed gives bit-identical predictions; another seed another forest", async () => {
    const a = await randomForest.train(input(train, { params: small }));
    const b = await randomForest.train(input(train, { params: small }));
    expect(b.predictProba!(held.x)).toEqual(a.predictProba!(held.x));
    expect(b.toJSON()).toEqual(a.toJSON());
    const c = await randomForest.train(input(train, { params: small, seed: 12 }));
    expect(c.toJSON().state).not.toEqual(a.toJSON().state);
    expect(c.predictProba!(held.x)).not.toEqual(a.predictProba!(held.x));
  });

  test("probabilities are the mean leaf distributions: rows sum to 1, argmax is the prediction", async () => {
    const model = await randomForest.train(input(train, { params: small }));
    const proba = model.predictProba!(held.x);
    const predicted = model.predict(held.x);
    for (let i = 0; i < held.x.n; i++) {
      const row = Array.from(proba.subarray(i * 3, i * 3 + 3));
      expect(row.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
      expect(row.indexOf(Math.max(...row))).toBe(predicted[i]);
    }
  });

  test("load(toJSON()) predicts identically after a JSON text round-trip", async () => {
    const model = await randomForest.train(input(train, { params: small }));
    const again = randomForest.load(JSON.parse(JSON.stringify(model.toJSON())));
    expect(again.predict(held.x)).toEqual(model.predict(held.x));
    expect(again.predictProba!(held.x)).toEqual(model.predictProba!(held.x));
    expect(again.importance!()).toEqual(model.importance!());
  });

  test("load rejects a tampered tree", async () => {
    const json = (await randomForest.train(input(train, { params: { trees: 2 } }))).toJSON();
    const state = json.state as { trees: { left: number[] }[] };
    state.trees[1].left[0] = 0;
    expect(() => randomForest.load(json)).toThrow(/tree 1 is malformed/);
  });

  test("importance sums to 1 and ranks an informative feature above noise", async () => {
    const n = 600;
    const signal = Float32Array.from({ length: n }, (_, i) => (i * 37) % 101);
    const noise = Float32Array.from({ length: n }, (_, i) => (i * 53) % 97);
    const y = Float32Array.from(signal, (v) => (v > 50 ? 1 : 0));
    const model = await randomForest.train(
      input({ x: { n, columns: [noise, signal], names: ["noise", "signal"] }, y, classes: ["lo", "hi"] }, { params: small }),
    );
    const imp = model.importance!();
    expect(imp[0] + imp[1]).toBeCloseTo(1, 12);
    expect(imp[1]).toBeGreaterThan(0.8);
  });

  test("reports progress once per tree", async () => {
    const seen: TrainProgress[] = [];
    await randomForest.train(input(train, { params: { trees: 5 }, onProgress: (p) => seen.push(p) }));
    expect(seen).toEqual([1, 2, 3, 4, 5].map((step) => ({ step, total: 5, unit: "tree" })));
  });

  test("aborting rejects with an AbortError, before or during training", async () => {
    const before = new AbortController();
    before.abort();
    await expect(randomForest.train(input(train, { signal: before.signal }))).rejects.toMatchObject({ name: "AbortError" });

    const during = new AbortController();
    let reported = 0;
    const training = randomForest.train(
      input(train, {
        params: { trees: 50 },
        signal: during.signal,
        onProgress: (p) => {
          reported = p.step;
          if (p.step === 3) during.abort();
        },
      }),
    );
    await expect(training).rejects.toMatchObject({ name: "AbortError" });
    expect(reported).toBe(3);
  });

  test("rejects a non-integer tree count and a bad max_features", async () => {
    await expect(randomForest.train(input(train, { params: { trees: 2.5 } }))).rejects.toThrow(/trees/);
    await expect(randomForest.train(input(train, { params: { max_features: "half" } }))).rejects.toThrow(/max_features/);
  });
});
