import { describe, expect, test } from "vitest";
import { scoringModel } from "../../../../runtime/models/scoring/scoring-model.js";
import { gradientBoosting } from "../../../../runtime/models/trees/gradient-boosting.js";
import { Rng } from "../../../../runtime/models/trees/prng.js";
import type { Matrix, ParamValue, TrainInput, TrainProgress } from "../../../../runtime/models/types.js";
import { accuracy, cars, penguins, r2, split, type Dataset } from "./datasets.js";

function input(d: Dataset, extra: Partial<TrainInput> = {}): TrainInput {
  return { task: d.classes.length > 0 ? "classification" : "regression", x: d.x, y: d.y, classes: d.classes, params: {}, seed: 11, ...extra };
}

/** Mean log loss of row-major probabilities. */
function logLoss(proba: Float32Array, y: Float32Array, k: number): number {
  let sum = 0;
  for (let i = 0; i < y.length; i++) sum -= Math.log(proba[i * k + y[i]]);
  return sum / y.length;
}

/**
 * Two classes that only the missingness of `a` tells apart: class 1 rows have `a` missing,
 * class 0 rows a value drawn from the same range as the noise feature `b`.
 */
function missingSignal(n: number, seed: number): Dataset {
  const rng = new Rng(seed);
  const a = new Float32Array(n);
  const b = new Float32Array(n);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = rng.nextInt(2);
    a[i] = y[i] === 1 ? NaN : rng.nextInt(1000) / 10;
    b[i] = rng.nextInt(1000) / 10;
  }
  return { x: { n, columns: [a, b], names: ["a", "b"] }, y, classes: ["no", "yes"] };
}

describe("gradient_boosting", () => {
  const { train, test: held } = split(penguins(), 0.7, 42);
  const small = { max_iter: 20 };

  test("classifies penguin species (three classes, softmax) with accuracy >= 0.95", async () => {
    const model = await gradientBoosting.train(input(train));
    expect(accuracy(model.predict(held.x), held.y)).toBeGreaterThanOrEqual(0.95);
    expect(model.method).toBe("100 iterations");
    const proba = model.predictProba!(held.x);
    for (let i = 0; i < held.x.n; i++) expect(proba[i * 3] + proba[i * 3 + 1] + proba[i * 3 + 2]).toBeCloseTo(1, 5);
  });

  test("two classes: one tree per iteration, probabilities [1 - p, p]", async () => {
    const binary = (d: Dataset): Dataset => ({ ...d, y: d.y.map((c) => (c === 0 ? 0 : 1)), classes: ["Adelie", "other"] });
    const model = await gradientBoosting.train(input(binary(train), { params: small }));
    expect((model.toJSON().state as { trees: unknown[] }).trees).toHaveLength(20);
    const test = binary(held);
    expect(accuracy(model.predict(test.x), test.y)).toBeGreaterThanOrEqual(0.95);
    const proba = model.predictProba!(test.x);
    expect(proba.length).toBe(2 * test.x.n);
    expect(proba[0] + proba[1]).toBeCloseTo(1, 6);
  });

  test("regresses miles per gallon on cars with R² >= 0.8", async () => {
    const c = split(cars(), 0.7, 42);
    const model = await gradientBoosting.train(input(c.train));
    expect(r2(model.predict(c.test.x), c.test.y)).toBeGreaterThanOrEqual(0.8);
  });

  test("leaf values are -learning_rate·G/(H + l2_regularization): one split of four rows, by hand", async () => {
    const x: Matrix = { n: 4, columns: [Float32Array.of(1, 2, 3, 4)], names: ["x"] };
    const y = Float32Array.of(0, 0, 10, 10);
    const fit = (l2: number) => gradientBoosting.train({ task: "regression", x, y, classes: [], params: { max_iter: 1, min_samples_leaf: 1, learning_rate: 1, l2_regularization: l2 }, seed: 1 });
    // Baseline 5; gradients 5, 5, -5, -5; the cut between 2 and 3 (threshold 2.5).
    expect(Array.from((await fit(0)).predict(x))).toEqual([0, 0, 10, 10]);
    expect(Array.from((await fit(2)).predict(x))).toEqual([2.5, 2.5, 7.5, 7.5]);
    const tree = ((await fit(0)).toJSON().state as { trees: { threshold: number[] }[] }).trees[0];
    expect(tree.threshold[0]).toBe(2.5);
  });

  test("releaseColumns: training and validation columns are emptied once binned and packed, and the model is the same", async () => {
    const copy = (x: Matrix): Matrix => ({ ...x, columns: x.columns.map((c) => c.slice()) });
    const params = { ...small, early_stopping: true };
    const kept = await gradientBoosting.train(input(train, { params, validation: { x: held.x, y: held.y } }));
    const x = copy(train.x);
    const validation = { x: copy(held.x), y: held.y };
    const released = await gradientBoosting.train(input({ ...train, x }, { params, validation, releaseColumns: true }));
    expect([x.columns.length, validation.x.columns.length]).toEqual([0, 0]);
    expect(released.toJSON()).toEqual(kept.toJSON());
    // Without the flag the caller's columns stay, also when the fit holds out rows of its own.
    const held2 = copy(train.x);
    await gradientBoosting.train(input({ ...train, x: held2 }, { params }));
    expect(held2.columns).toHaveLength(4);
  });

  test("the same seed gives the same model bit for bit; with early stopping another seed holds out other rows", async () => {
    const params = { max_iter: 30, early_stopping: true, n_iter_no_change: 30 };
    const a = await gradientBoosting.train(input(train, { params }));
    const b = await gradientBoosting.train(input(train, { params }));
    expect(JSON.stringify(b.toJSON())).toBe(JSON.stringify(a.toJSON()));
    expect(b.predictProba!(held.x)).toEqual(a.predictProba!(held.x));
    expect(b.history).toEqual(a.history);
    const c = await gradientBoosting.train(input(train, { params, seed: 12 }));
    expect(c.toJSON().state).not.toEqual(a.toJSON().state);
  });

  test("learns where missing values go: the side that gains most in training", async () => {
    const d = missingSignal(600, 3);
    const t = missingSignal(200, 4);
    const model = await gradientBoosting.train(input(d, { params: { max_iter: 10 } }));
    expect(accuracy(model.predict(t.x), t.y)).toBe(1);
    const root = (model.toJSON().state as { trees: { feature: number[]; threshold: (number | null)[]; missingLeft: number[] }[] }).trees[0];
    // The first cut separates missing from present values of `a`: every value left, NaN right.
    expect([root.feature[0], root.threshold[0], root.missingLeft[0]]).toEqual([0, null, 0]);
  });

  test("a missing value never seen in training follows the side with more training rows", async () => {
    const x: Matrix = { n: 30, columns: [Float32Array.from({ length: 30 }, (_, i) => i)], names: ["x"] };
    // 20 rows of class 0 below 20, 10 of class 1 above: NaN goes with the 20.
    const y = Float32Array.from({ length: 30 }, (_, i) => (i < 20 ? 0 : 1));
    const model = await gradientBoosting.train({ task: "classification", x, y, classes: ["a", "b"], params: { max_iter: 5, min_samples_leaf: 5 }, seed: 1 });
    expect(Array.from(model.predict({ n: 3, columns: [Float32Array.of(NaN, 3, 25)], names: ["x"] }))).toEqual([0, 0, 1]);
  });

  test("stops early on a seeded holdout when the validation loss stops improving, keeping every tree grown", async () => {
    const seen: TrainProgress[] = [];
    const model = await gradientBoosting.train(input(train, { params: { max_iter: 500, learning_rate: 0.5, early_stopping: true, n_iter_no_change: 3, tol: 0.01 }, onProgress: (p) => seen.push(p) }));
    expect(model.method).toMatch(/^\d+ iterations, stopped early$/);
    const done = Number(model.method!.split(" ")[0]);
    expect(done).toBeLessThan(500);
    expect((model.toJSON().state as { trees: unknown[] }).trees).toHaveLength(3 * done);
    expect(model.history!.map((h) => h.step)).toEqual(Array.from({ length: done }, (_, i) => i + 1));
    expect(model.history!.every((h) => h.valLoss !== undefined && h.loss > 0)).toBe(true);
    expect(seen.map((p) => p.step)).toEqual(model.history!.map((h) => h.step));
    expect(seen.every((p) => p.unit === "iteration" && p.total === 500)).toBe(true);
  });

  test("watches the model's validation dataset when it has one: its loss is the curve's", async () => {
    const model = await gradientBoosting.train(input(train, { params: small, validation: { x: held.x, y: held.y } }));
    const last = model.history!.at(-1)!;
    expect(last.step).toBe(20);
    expect(last.valLoss!).toBeCloseTo(logLoss(model.predictProba!(held.x), held.y, 3), 5);
    // Off by default below 10,000 rows: every iteration runs.
    expect(model.method).toBe("20 iterations");
  });

  test("saved and loaded (plain JSON, the portable scorer) it predicts the same, bit for bit", async () => {
    const model = await gradientBoosting.train(input(train, { params: small }));
    const again = gradientBoosting.load(JSON.parse(JSON.stringify(model.toJSON())));
    expect(again.predictProba!(held.x)).toEqual(model.predictProba!(held.x));
    expect(again.predict(held.x)).toEqual(model.predict(held.x));
    expect(again.method).toBe(model.method);
    expect(again.history).toEqual(model.history);
    const scorer = scoringModel(model.toJSON());
    expect(scorer.predictWithProba!(held.x)).toEqual(model.predictWithProba!(held.x));
    const importance = model.importance!();
    expect(importance.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 10);
    expect(again.importance!()).toEqual(importance);
  });

  test("load rejects a state whose trees do not come in whole iterations", async () => {
    const json = (await gradientBoosting.train(input(train, { params: { max_iter: 2 } }))).toJSON();
    (json.state as { trees: unknown[] }).trees.pop();
    expect(() => gradientBoosting.load(json)).toThrow(/3 output\(s\) per iteration/);
  });

  test("a lone class needs no trees", async () => {
    const x: Matrix = { n: 3, columns: [Float32Array.of(1, 2, 3)], names: ["x"] };
    const model = await gradientBoosting.train({ task: "classification", x, y: new Float32Array(3), classes: ["only"], params: {}, seed: 1 });
    expect(Array.from(model.predict(x))).toEqual([0, 0, 0]);
    expect(Array.from(model.predictProba!(x))).toEqual([1, 1, 1]);
  });

  test("rejects options outside their ranges with a coded error", async () => {
    for (const params of [{ learning_rate: 0 }, { max_bins: 256 }, { validation_fraction: 1 }, { max_leaf_nodes: 1 }, { early_stopping: "sometimes" }] as Record<string, ParamValue>[]) {
      await expect(gradientBoosting.train(input(train, { params }))).rejects.toMatchObject({ name: "OptionError", code: "invalid-option" });
    }
  });

  test("an aborted training rejects with an AbortError", async () => {
    const before = new AbortController();
    before.abort();
    await expect(gradientBoosting.train(input(train, { signal: before.signal }))).rejects.toMatchObject({ name: "AbortError" });
    const during = new AbortController();
    const training = gradientBoosting.train(input(train, { params: { max_iter: 1_000_000, early_stopping: false }, signal: during.signal }));
    setTimeout(() => during.abort(), 20);
    await expect(training).rejects.toMatchObject({ name: "AbortError" });
  });
});
