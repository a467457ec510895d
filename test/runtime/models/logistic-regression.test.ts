import { describe, expect, it } from "vitest";
import { logisticRegression } from "../../../runtime/models/logistic-regression.js";
import { accuracy, majorityRate, penguins, seattleWeather } from "./datasets.js";

describe("logistic_regression", () => {
  const data = penguins();
  const train = () =>
    logisticRegression.train({ task: "classification", ...data.train, classes: data.classes, params: {}, seed: 1 });

  it("classifies penguin species with sklearn-level accuracy", async () => {
    const model = await train();
    expect(accuracy(model.predict(data.test.x), data.test.y)).toBeGreaterThanOrEqual(0.97);
    const proba = model.predictProba!(data.test.x);
    expect(proba.length).toBe(data.test.x.n * 3);
    for (let i = 0; i < data.test.x.n; i++) expect(proba[3 * i] + proba[3 * i + 1] + proba[3 * i + 2]).toBeCloseTo(1, 5);
    const imp = model.importance!();
    expect(imp.length).toBe(4);
    expect(imp.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
    const h = model.history!;
    expect(h.length).toBeGreaterThan(2);
    expect(h[h.length - 1].loss).toBeLessThan(h[0].loss);
  });

  it("is bit-identical across trainings and survives a JSON round trip", async () => {
    const a = await train();
    const b = await train();
    expect(b.predictProba!(data.test.x)).toEqual(a.predictProba!(data.test.x));
    const loaded = logisticRegression.load(JSON.parse(JSON.stringify(a.toJSON())));
    expect(loaded.predictProba!(data.test.x)).toEqual(a.predictProba!(data.test.x));
    expect(loaded.importance!()).toEqual(a.importance!());
  });

  it("fits a binary problem with a single sigmoid column", async () => {
    // Adelie vs the rest.
    const y = data.train.y.map((v) => (v === 0 ? 0 : 1));
    const yt = data.test.y.map((v) => (v === 0 ? 0 : 1));
    const model = await logisticRegression.train({
      task: "classification", x: data.train.x, y, classes: ["Adelie", "other"], params: {}, seed: 1,
    });
    expect(accuracy(model.predict(data.test.x), yt)).toBeGreaterThanOrEqual(0.95);
    expect(model.predictProba!(data.test.x).length).toBe(2 * data.test.x.n);
  });

  it("stronger l2 shrinks the coefficients toward a flatter fit", async () => {
    const weak = await train();
    const strong = await logisticRegression.train({
      task: "classification", ...data.train, classes: data.classes, params: { l2: 1000 }, seed: 1,
    });
    const maxProb = (m: typeof weak) => Math.max(...m.predictProba!(data.test.x));
    expect(maxProb(strong)).toBeLessThan(maxProb(weak));
  });

  it("beats the majority class on seattle weather", async () => {
    const w = seattleWeather();
    const model = await logisticRegression.train({ task: "classification", ...w.train, classes: w.classes, params: {}, seed: 1 });
    expect(accuracy(model.predict(w.test.x), w.test.y)).toBeGreaterThan(majorityRate(w.test.y));
  });
});
