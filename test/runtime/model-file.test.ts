import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Session } from "../../api/session.js";
import { decodeModelFile, encodeModelFile } from "../../runtime/model-file.js";
import { modelArtifact } from "../../runtime/model-state.js";
import { dataset } from "../helpers.js";

// The model file: package JSON + the learner in the binary codec; what comes back predicts the same, bit for bit.
let s: Session;
const models = ["lr", "tree", "forest", "gbm", "svm", "mlp", "lin"];
beforeAll(async () => {
  s = await Session.open({ record: false });
  const features = `features: "Beak Length (mm)", "Flipper Length (mm)", Island`;
  const r = await s.run(`source penguins = read "${dataset("penguins.json")}"
prepare clean = penguins { drop rows where Species is missing
  fill "Beak Length (mm)", "Flipper Length (mm)", "Body Mass (g)" with median
  onehot Island }
split clean into train 80%, test 20% seed 2
model lr = logistic_regression predicting Species from train { ${features} }
model tree = decision_tree predicting Species from train { ${features} }
model forest = random_forest predicting Species from train { ${features}
  trees: 20 }
model gbm = gradient_boosting predicting Species from train { ${features}
  max_iter: 20 }
model svm = svm predicting Species from train { ${features}
  kernel: rbf }
model mlp = neural_network predicting Species from train { ${features}
  epochs: 20 }
model lin = linear_regression predicting "Body Mass (g)" from train { ${features} }`);
  expect(r.error).toBeUndefined();
}, 120_000);
afterAll(() => s.close());

describe("model files", () => {
  it.each(models)("%s: encodes, decodes to the same package, and predicts bit for bit the same", async (name) => {
    const state = s.executor.modelState(name)!;
    const bytes = await encodeModelFile(state);
    expect(Buffer.from(bytes.subarray(0, 8)).toString("latin1")).toBe("LATHEPKG");
    // The same model gives the same bytes: reproductions compare model files by hash.
    expect(Buffer.compare(Buffer.from(bytes), Buffer.from(await encodeModelFile(state)))).toBe(0);
    const { pkg, model } = await decodeModelFile(bytes, "m.lathe");
    const { model: _m, ...expected } = JSON.parse(JSON.stringify(modelArtifact(state)));
    expect({ ...pkg, model: undefined }).toEqual({ ...expected, model: undefined });
    const { yPred, proba } = await s.executor.predictions(state, "test");
    const ds = s.executor.dataset("test");
    const { readMatrix } = await import("../../runtime/train-data.js");
    const x = await readMatrix(s.executor.db, ds, "test", state.featureColumns);
    expect(Array.from(model.predict(x))).toEqual(Array.from(yPred));
    if (proba) expect(Array.from(model.predictProba!(x))).toEqual(Array.from(proba));
  });

  it("refuses what is not a model file, naming it", async () => {
    await expect(decodeModelFile(Buffer.from("LATHEPKG\x05"), "cut.lathe")).rejects.toMatchObject({ code: "bad-model-file" });
    await expect(decodeModelFile(Buffer.from("hello"), "x.lathe")).rejects.toThrow(/x\.lathe is not a model file/);
  });
});
