import { describe, expect, test } from "vitest";
import { logisticRegression } from "../../../runtime/models/logistic-regression.js";
import { predictWithProba } from "../../../runtime/models/predict-with-proba.js";
import { scoringModel } from "../../../runtime/models/scoring/scoring-model.js";
import { gradientBoosting } from "../../../runtime/models/trees/gradient-boosting.js";
import { randomForest } from "../../../runtime/models/trees/random-forest.js";
import type { TrainedModel } from "../../../runtime/models/types.js";
import { cars, penguins, split } from "./trees/datasets.js";

// One pass must give exactly what predict and predictProba give apart: same classes, same probabilities, bit for bit.
describe("predictWithProba", () => {
  const { train, test: held } = split(penguins(), 0.7, 42);
  const input = { task: "classification" as const, x: train.x, y: train.y, classes: train.classes, params: { trees: 15 }, seed: 3 };

  const same = (m: Pick<TrainedModel, "predict" | "predictProba" | "predictWithProba">) => {
    const both = m.predictWithProba!(held.x);
    expect(both.predictions).toEqual(m.predict(held.x));
    expect(both.probabilities).toEqual(m.predictProba!(held.x));
    expect(predictWithProba(m, held.x, true)).toEqual(both);
  };

  test("a random forest, gradient boosting (trained and their portable scorers) and a logistic regression", async () => {
    const forest = await randomForest.train(input);
    same(forest);
    same(scoringModel(forest.toJSON()));
    const boosted = await gradientBoosting.train({ ...input, params: { max_iter: 10 } });
    same(boosted);
    same(scoringModel(boosted.toJSON()));
    const lr = await logisticRegression.train({ ...input, params: {} });
    same(lr);
    same(scoringModel(lr.toJSON()));
  });

  test("falls back to predict and predictProba, and regression gives no probabilities", async () => {
    const forest = await randomForest.train(input);
    const apart = { predict: forest.predict.bind(forest), predictProba: forest.predictProba!.bind(forest) };
    expect(predictWithProba(apart, held.x, true)).toEqual(forest.predictWithProba!(held.x));
    const c = split(cars(), 0.7, 1);
    const reg = await randomForest.train({ task: "regression", x: c.train.x, y: c.train.y, classes: [], params: { trees: 5 }, seed: 1 });
    expect(predictWithProba(reg, c.test.x, false)).toEqual({ predictions: reg.predict(c.test.x) });
  });
});
