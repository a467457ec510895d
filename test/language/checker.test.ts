import { describe, expect, it } from "vitest";
import { check, type SourceSchema } from "../../language/checker.js";
import { parse } from "../../language/parse.js";
import type { Schema } from "../../language/schema.js";

const penguins: Schema = [
  { name: "Species", type: "string" },
  { name: "Island", type: "string" },
  { name: "Beak Length (mm)", type: "number" },
  { name: "Body Mass (g)", type: "number" },
  { name: "Sex", type: "string" },
];

function run(text: string, schemas: Record<string, SourceSchema> = { penguins: { columns: penguins } }) {
  const parsed = parse(text);
  expect(parsed.diagnostics).toEqual([]);
  return check(parsed.program, schemas);
}

const head = `source penguins = read "p.json"\n`;

describe("check", () => {
  it("accepts a whole workflow and resolves models", () => {
    const r = run(`${head}prepare clean = penguins { drop rows where Species is missing; fill "Body Mass (g)" with median; onehot Island }
split clean into train 70%, test 30% stratify by Species seed 1
model m = logistic_regression predicting Species from train { features: "Body Mass (g)", Island }
evaluate m on test metrics accuracy, f1`);
    expect(r.diagnostics).toEqual([]);
    expect(r.checked.models.m).toMatchObject({ task: "classification", target: "Species", features: ["Body Mass (g)", "Island"] });
    expect(r.checked.datasets.train.schema.find((c) => c.name === "Island")?.type).toBe("onehot");
  });

  it("reports unknown columns with a suggestion", () => {
    const r = run(`${head}prepare clean = penguins { fill "Body Mass (gr)" with median }`);
    expect(r.diagnostics).toMatchObject([{ code: "unknown-column", suggestions: ["Body Mass (g)"] }]);
  });

  it("reports type mismatches: median of text, string features", () => {
    const r = run(`${head}prepare clean = penguins { fill Sex with median }
model m = logistic_regression predicting Species from clean { features: Sex }`);
    expect(r.diagnostics.filter((d) => d.severity === "error").map((d) => d.code)).toEqual(["type-mismatch", "type-mismatch"]);
  });

  it("reports split percentages that do not add to 100", () => {
    const r = run(`${head}split penguins into train 70%, test 20%`);
    expect(r.diagnostics).toMatchObject([{ code: "split-total", message: "split parts add up to 90%, not 100%" }]);
  });

  it("reports a metric that does not fit the task and an unknown metric", () => {
    const r = run(`${head}split penguins into train 80%, test 20%
model r = linear_regression predicting "Body Mass (g)" from train { features: "Beak Length (mm)" }
evaluate r on test metrics f1, rmes`);
    expect(r.diagnostics.map((d) => d.code)).toEqual(["metric-task-mismatch", "unknown-metric"]);
    expect(r.diagnostics[1].suggestions).toContain("rmse");
  });

  it("reports the target used as a feature, unknown algorithms and use before definition", () => {
    const r = run(`${head}evaluate m on penguins
model m = logistic_regresion predicting Species from penguins { features: Species }`);
    const codes = r.diagnostics.map((d) => d.code);
    expect(codes).toContain("unknown-model");
    expect(codes).toContain("unknown-algorithm");
    expect(r.diagnostics.find((d) => d.code === "unknown-algorithm")?.suggestions).toEqual(["logistic_regression"]);
  });

  it("warns about fitted steps learned before a split", () => {
    const r = run(`${head}prepare clean = penguins { drop rows where Species is missing; fill "Body Mass (g)" with mean }
model m = logistic_regression predicting Species from clean { features: "Body Mass (g)" }`);
    expect(r.diagnostics).toMatchObject([{ code: "fitted-before-split", severity: "warning" }]);
  });

  it("reports duplicate names", () => {
    const r = run(`${head}source penguins = read "q.json"`);
    expect(r.diagnostics.map((d) => d.code)).toContain("duplicate-name");
  });

  it("reports one error for an unreadable source, not one per column", () => {
    const r = run(`${head}prepare clean = penguins { fill x with median; onehot y }`, { penguins: { error: "file not found: p.json" } });
    expect(r.diagnostics).toMatchObject([{ code: "source-error", message: "file not found: p.json" }]);
  });
});
