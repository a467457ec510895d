import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { neuralNetwork } from "../../../runtime/models/neural-network.js";
import { tf } from "../../../runtime/models/tf-backend.js";
import type { ParamValue, TrainProgress } from "../../../runtime/models/types.js";
import { accuracy, cars, majorityRate, penguins, r2, seattleWeather } from "./datasets.js";

// Every behaviour on both engines: the native module `npm run build` makes, and the TensorFlow.js
// fallback (LATHE_NN_ENGINE=tfjs), which machines without a C++ compiler use.
describe.each(["native", "tfjs"])("neural_network on the %s engine", (engine) => {
  const previous = process.env.LATHE_NN_ENGINE;
  beforeAll(() => {
    process.env.LATHE_NN_ENGINE = engine;
  });
  afterAll(() => {
    if (previous === undefined) delete process.env.LATHE_NN_ENGINE;
    else process.env.LATHE_NN_ENGINE = previous;
  });
  const species = penguins();
  const classify = (params: Record<string, ParamValue> = {}, seed = 1) =>
    neuralNetwork.train({ task: "classification", ...species.train, classes: species.classes, params, seed });

  it("classifies penguin species and records a falling loss curve", async () => {
    const progress: TrainProgress[] = [];
    const model = await neuralNetwork.train({
      task: "classification", ...species.train, classes: species.classes, params: { epochs: 60 }, seed: 1,
      onProgress: (p) => progress.push(p),
    });
    expect(accuracy(model.predict(species.test.x), species.test.y)).toBeGreaterThanOrEqual(0.95);
    const h = model.history!;
    expect(h.length).toBe(progress.length);
    expect(progress[0]).toMatchObject({ step: 1, total: 60, unit: "epoch" });
    expect(h[h.length - 1].loss).toBeLessThan(h[0].loss / 2);
    expect(model.backend).toBe(engine === "native" ? "native" : tf.getBackend());
  });

  it("regresses car fuel economy", async () => {
    const data = cars();
    const model = await neuralNetwork.train({ task: "regression", ...data.train, classes: [], params: {}, seed: 1 });
    // On this split sklearn's MLPRegressor(64, 32) gets 0.686 (200 epochs) to 0.74 (2000), linear least squares 0.681.
    expect(r2(model.predict(data.test.x), data.test.y)).toBeGreaterThanOrEqual(0.72);
  });

  it("beats the majority class on seattle weather, with validation loss and early stopping", async () => {
    const w = seattleWeather();
    const half = Math.floor(w.test.x.n / 2);
    const cut = (m: typeof w.test.x, from: number, to: number) => ({
      n: to - from, names: m.names, columns: m.columns.map((c) => c.slice(from, to)),
    });
    const model = await neuralNetwork.train({
      task: "classification", ...w.train, classes: w.classes, seed: 1,
      params: { epochs: 300, patience: 5, learning_rate: 0.01 },
      validation: { x: cut(w.test.x, 0, half), y: w.test.y.slice(0, half) },
    });
    const h = model.history!;
    expect(h.every((p) => p.valLoss !== undefined)).toBe(true);
    expect(h.length).toBeLessThan(300); // stopped early
    const heldOut = cut(w.test.x, half, w.test.x.n);
    const y = w.test.y.slice(half);
    expect(accuracy(model.predict(heldOut), y)).toBeGreaterThan(majorityRate(y));
  });

  it("is bit-identical for a seed, differs across seeds, and round-trips through JSON", async () => {
    const params = { epochs: 15, dropout: 0.2, activation: "tanh" };
    const a = await classify(params, 3);
    const b = await classify(params, 3);
    const c = await classify(params, 4);
    const proba = (m: typeof a) => m.predictProba!(species.test.x);
    expect(accuracy(a.predict(species.test.x), species.test.y)).toBeGreaterThanOrEqual(0.9);
    expect(proba(b)).toEqual(proba(a));
    expect(proba(c)).not.toEqual(proba(a));
    const loaded = neuralNetwork.load(JSON.parse(JSON.stringify(a.toJSON())));
    expect(loaded.predictProba!(species.test.x)).toEqual(proba(a));
  });

  it("with releaseColumns, empties the training and validation columns and trains the same model", async () => {
    // The fit's own copies of the penguins' columns: releaseColumns empties what it is given.
    const copy = (m: typeof species.train.x) => ({ n: m.n, names: m.names, columns: m.columns.map((c) => c.slice()) });
    const input = (x: typeof species.train.x, vx: typeof species.test.x) => ({
      task: "classification" as const, x, y: species.train.y, classes: species.classes, params: { epochs: 5 }, seed: 2, validation: { x: vx, y: species.test.y },
    });
    const kept = await neuralNetwork.train(input(species.train.x, species.test.x));
    const x = copy(species.train.x);
    const vx = copy(species.test.x);
    const released = await neuralNetwork.train({ ...input(x, vx), releaseColumns: true });
    expect(x.columns).toEqual([]);
    expect(vx.columns).toEqual([]);
    expect(released.toJSON()).toEqual(kept.toJSON());
    expect(species.train.x.columns.length).toBeGreaterThan(0);
  });

  it("trains with sgd and sigmoid units", async () => {
    const model = await classify({ optimizer: "sgd", activation: "sigmoid", learning_rate: 0.1, epochs: 80 });
    expect(accuracy(model.predict(species.test.x), species.test.y)).toBeGreaterThanOrEqual(0.95);
  });

  it("stops mid-training on abort with an AbortError and frees its tensors", async () => {
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    const seen: number[] = [];
    const run = neuralNetwork.train({
      task: "classification", ...species.train, classes: species.classes, seed: 1,
      params: { epochs: 10000, early_stopping: false },
      signal: controller.signal,
      onProgress: (p) => {
        seen.push(p.step);
        if (p.step === 3) setTimeout(() => controller.abort(), 0);
      },
    });
    await expect(run).rejects.toMatchObject({ name: "AbortError" });
    expect(Math.max(...seen)).toBeLessThan(50);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("keeps tensor memory flat across trainings", async () => {
    await classify({ epochs: 2 });
    const before = tf.memory().numTensors;
    await classify({ epochs: 5 });
    expect(tf.memory().numTensors).toBe(before);
  });
});
