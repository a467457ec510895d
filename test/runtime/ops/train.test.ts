import { afterAll, describe, expect, it } from "vitest";
import { Session } from "../../../api/session.js";
import { validationPart } from "../../../runtime/ops/train.js";
import { dataset } from "../../helpers.js";

describe("the validation part a model watches", () => {
  const splits = new Map([
    ["train", { parts: ["train", "val", "test"], train: "train" }],
    ["val", { parts: ["train", "val", "test"], train: "train" }],
    ["fit", { parts: ["fit", "holdout"], train: "fit" }],
  ]);

  it("is the part after the training part of a split with three or more parts, whatever its name", () => {
    expect(validationPart("train", undefined, splits)).toBe("val");
  });

  it("is none for a two-part split (a test part never stops training), or for a model not trained on the training part", () => {
    expect(validationPart("fit", undefined, splits)).toBeUndefined();
    expect(validationPart("val", undefined, splits)).toBeUndefined();
    expect(validationPart("other", undefined, splits)).toBeUndefined();
  });

  it("is what `validation:` names when given", () => {
    expect(validationPart("fit", "holdout", splits)).toBe("holdout");
  });
});

describe("early stopping on the validation part", () => {
  const sessions: Session[] = [];
  afterAll(() => sessions.forEach((s) => s.close()));

  for (const [parts, watched] of [["fit 70%, dev 15%, test 15%", "dev"], ["train 70%, validation 15%, test 15%", "validation"]] as const) {
  it(`records the validation loss per epoch and stops on it (split into ${parts})`, async () => {
    const s = await Session.open({ record: false });
    sessions.push(s);
    const r = await s.run(`source penguins = read "${dataset("penguins.json")}"
prepare clean = penguins {
  drop rows where Species is missing
  fill "Beak Length (mm)", "Flipper Length (mm)" with median
  scale "Beak Length (mm)", "Flipper Length (mm)" standard
}
split clean into ${parts} stratify by Species seed 3
model nn = neural_network predicting Species from ${parts.split(" ")[0]} {
  features: "Beak Length (mm)", "Flipper Length (mm)"
  epochs: 2000
  patience: 3
}`);
    expect(r.error).toBeUndefined();
    const model = r.output!.results.find((x) => x.kind === "model");
    expect(model).toMatchObject({ kind: "model", validation: watched });
    const history = s.executor.modelState("nn")!.model.history!;
    expect(history.length).toBeGreaterThan(3);
    expect(history.length).toBeLessThan(2000);
    expect(history.every((h) => Number.isFinite(h.valLoss))).toBe(true);
  });
  }
});
