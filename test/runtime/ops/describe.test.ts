import { afterAll, describe, expect, it } from "vitest";
import { Session } from "../../../api/session.js";
import { resultDetail } from "../../../cli/report.js";
import { dataset } from "../../helpers.js";

describe("describe", () => {
  const sessions: Session[] = [];
  afterAll(() => sessions.forEach((s) => s.close()));

  it("describes a model: algorithm, data, options, preparation, measurements and importance", async () => {
    const s = await Session.open({ record: false });
    sessions.push(s);
    const r = await s.run(`source penguins = read "${dataset("penguins.json")}"
prepare clean = penguins {
  drop rows where Species is missing
  fill "Beak Length (mm)" with median
  onehot Island
}
split clean into train 80%, test 20% stratify by Species seed 1
model forest = random_forest predicting Species from train { features: "Beak Length (mm)", Island
  trees: 20 }
evaluate forest on test metrics accuracy
describe forest`);
    expect(r.error).toBeUndefined();
    const d = r.output!.results.at(-1)!;
    expect(d.kind).toBe("model-description");
    if (d.kind !== "model-description") return;
    const prop = (p: string) => d.properties.find((x) => x.property === p)?.value;
    expect(prop("algorithm")).toBe("random_forest");
    expect(prop("trained on")).toMatch(/^train \(\d+ rows\)$/);
    expect(prop("options")).toBe("trees: 20");
    expect(prop("preparation")).toMatch(/fill "Beak Length \(mm\)" with median \(learned .*\); onehot Island/);
    expect(prop("input columns")?.split(", ").sort()).toEqual(["Beak Length (mm)", "Island", "Species"]);
    expect(d.metrics).toEqual([{ data: "test", metric: "accuracy", value: expect.any(Number) }]);
    expect(d.importance?.length).toBe(5);
    expect(resultDetail(d)).toMatch(/feature importance/);
  });
});
