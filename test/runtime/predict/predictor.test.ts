import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Session } from "../../../api/session.js";
import { modelArtifact } from "../../../runtime/model-state.js";
import { findLearner } from "../../../runtime/models/registry.js";
import { createPredictor, InputError, type ModelPackage } from "../../../runtime/predict/predictor.js";
import { dataset } from "../../helpers.js";

// A model leaves the session as a package and predicts on raw rows exactly as the session scores it.
let s: Session;
beforeAll(async () => {
  s = await Session.open({ record: false });
  const r = await s.run(`source penguins = read "${dataset("penguins.json")}"
prepare clean = penguins {
  drop rows where Species is missing
  fill "Beak Length (mm)", "Beak Depth (mm)", "Flipper Length (mm)", "Body Mass (g)" with median
  derive ratio = "Beak Length (mm)" / "Beak Depth (mm)"
  onehot Island, Sex
  scale "Body Mass (g)" standard
}
split clean into train 70%, validation 15%, test 15% stratify by Species seed 3
model lr = logistic_regression predicting Species from train { features: "Beak Length (mm)", ratio, "Flipper Length (mm)", "Body Mass (g)", Island, Sex }
model forest = random_forest predicting Species from train { features: "Beak Length (mm)", ratio, "Flipper Length (mm)", "Body Mass (g)", Island, Sex
  trees: 30 }
prepare labelled = penguins { drop rows where Species is missing }
model mass = decision_tree predicting "Body Mass (g)" from train { features: "Flipper Length (mm)", Island }`);
  expect(r.error).toBeUndefined();
});
afterAll(() => s.close());

const predictorOf = (name: string) => {
  const state = s.executor.modelState(name)!;
  const pkg = JSON.parse(JSON.stringify(modelArtifact(state))) as ModelPackage;
  return createPredictor(pkg, findLearner(pkg.algorithm)!.load(pkg.model as never));
};

describe("createPredictor", () => {
  const raw = (JSON.parse(readFileSync(dataset("penguins.json"), "utf8")) as Record<string, unknown>[]).filter((r) => r.Species !== null);

  it.each(["lr", "forest"])("%s: classes and probabilities equal the session's on every raw row", async (name) => {
    const p = predictorOf(name);
    expect(p.inputSchema.map((c) => c.name).sort()).toEqual(["Beak Depth (mm)", "Beak Length (mm)", "Body Mass (g)", "Flipper Length (mm)", "Island", "Sex"]);
    const got = p.predict(raw);
    const state = s.executor.modelState(name)!;
    // The session brings the same raw rows to the model with the model's transform in DuckDB SQL.
    const { yPred, proba } = await s.executor.predictions(state, "labelled");
    expect(got.map((g) => g.prediction)).toEqual(Array.from(yPred, (v) => state.classes[v]));
    got.forEach((g, i) => state.classes.forEach((c, j) => expect(Math.abs(g.probabilities![c] - proba![i * state.classes.length + j])).toBeLessThanOrEqual(1e-12)));
  });

  it("regression: values", async () => {
    const p = predictorOf("mass");
    const got = p.predict(raw.filter((r) => r["Body Mass (g)"] !== null));
    expect(got.every((g) => typeof g.prediction === "number" && g.probabilities === undefined)).toBe(true);
  });

  it("names every missing or mistyped field of every row", () => {
    const p = predictorOf("lr");
    const row = { ...raw[0] };
    delete row.Island;
    try {
      p.predict([row, { ...raw[1], "Flipper Length (mm)": "long" }, "not a row"]);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      expect((e as InputError).problems).toEqual([
        { row: 0, field: "Island", message: "missing field `Island` (string)" },
        { row: 1, field: "Flipper Length (mm)", message: 'field `Flipper Length (mm)` takes a number, got "long"' },
        { row: 2, field: "", message: "a row is a JSON object of column values" },
      ]);
    }
  });

  it("fills what training filled: a missing value where the model learned a fill is not an error", () => {
    const p = predictorOf("lr");
    const [one] = p.predict([{ ...raw[0], "Beak Length (mm)": null }]);
    expect(typeof one.prediction).toBe("string");
  });
});
