import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Session } from "../../../api/session.js";
import { algorithms } from "../../../language/catalog.js";
import { modelArtifact } from "../../../runtime/model-state.js";
import { takesMissing } from "../../../runtime/models/missing-values.js";
import { findLearner } from "../../../runtime/models/registry.js";
import { createPredictor, type ModelPackage } from "../../../runtime/predict/predictor.js";
import { tempDir } from "../../helpers.js";
import { rng } from "../../seeded-rng.js";

// Missing feature values through the whole path a user runs: the tree learners learn where they
// go (here they carry the class: a row whose x1 is missing is "up"), every other learner refuses
// them by name, and scoring — evaluate, deploy batch, the serve/export predictor — reads them as
// training did.

const dir = tempDir("lathe-missing-");
let session: Session;

/** `n` rows: x1 normal, missing in a fifth of them; x2 uniform noise; y = "up" when x1 is missing or above 0.3. */
function rows(n: number, seed: number): string {
  const r = rng(seed);
  const lines = ["x1,x2,y"];
  for (let i = 0; i < n; i++) {
    const absent = r() < 0.2;
    const x1 = Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
    const x2 = r() * 10;
    lines.push([absent ? "" : x1.toFixed(6), x2.toFixed(6), absent || x1 > 0.3 ? "up" : "down"].join(","));
  }
  return lines.join("\n") + "\n";
}

async function run(code: string) {
  return session.run(code);
}

const learnersTaking = ["gradient_boosting", "decision_tree", "random_forest"];

beforeAll(async () => {
  writeFileSync(path.join(dir, "rows.csv"), rows(1200, 11));
  writeFileSync(path.join(dir, "absent.csv"), "x1,x2\n,1.5\n,7.25\n,3\n");
  session = await Session.open({ root: path.join(dir, ".lathe"), baseDir: dir });
  const r = await run(`source rows = read "rows.csv"
source absent = read "absent.csv"
split rows into fit 75%, test 25% seed 4
${learnersTaking.map((a) => `model ${a} = ${a} predicting y from fit { features: x1, x2 }\nevaluate ${a} on test metrics accuracy`).join("\n")}
register gradient_boosting as "gaps"
promote "gaps"
deploy "gaps" batch from absent to "scores.csv"`);
  if (!r.ok) throw new Error(r.error?.message ?? JSON.stringify(r.diagnostics));
}, 120_000);
afterAll(() => session?.close());

describe("missing feature values", () => {
  it("the catalog says which algorithms take them, as the runtime does", () => {
    for (const [name, spec] of Object.entries(algorithms)) expect([name, spec.missing === true]).toEqual([name, takesMissing(name)]);
    expect(Object.keys(algorithms).filter(takesMissing).sort()).toEqual([...learnersTaking].sort());
  });

  it.each(learnersTaking)("%s learns where they go, in training and in evaluate", async (name) => {
    const state = session.executor.modelState(name)!;
    const { yTrue, yPred } = await session.executor.predictions(state, "test");
    const right = yPred.reduce((a, v, i) => a + (v === yTrue[i] ? 1 : 0), 0);
    // The signal is exact up to the trees' cut near 0.3, and every missing row is "up".
    expect(right / yPred.length).toBeGreaterThan(0.95);
    expect(predictorOf(name).predict([{ x1: null, x2: 1.5 }, { x1: null, x2: 9 }]).map((p) => p.prediction)).toEqual(["up", "up"]);
  });

  const predictorOf = (name: string) => {
    const pkg = JSON.parse(JSON.stringify(modelArtifact(session.executor.modelState(name)!))) as ModelPackage;
    return createPredictor(pkg, findLearner(pkg.algorithm)!.load(pkg.model as never));
  };

  it.each(learnersTaking)("%s: the serve and export predictor reads a JSON null as training read a missing value", async (name) => {
    const state = session.executor.modelState(name)!;
    const raw = readFileSync(path.join(dir, "rows.csv"), "utf8").trim().split("\n").slice(1).map((l) => {
      const [x1, x2] = l.split(",");
      return { x1: x1 === "" ? null : Number(x1), x2: Number(x2) };
    });
    expect(raw.some((r) => r.x1 === null)).toBe(true);
    const got = predictorOf(name).predict(raw);
    const { yPred, proba } = await session.executor.predictions(state, "rows");
    expect(got.map((g) => g.prediction)).toEqual(Array.from(yPred, (v) => state.classes[v]));
    got.forEach((g, i) => state.classes.forEach((c, j) => expect(Math.abs(g.probabilities![c] - proba![i * state.classes.length + j])).toBeLessThanOrEqual(1e-12)));
  });

  it("deploy ... batch scores rows with missing values", () => {
    const out = readFileSync(path.join(dir, "scores.csv"), "utf8").trim().split("\n");
    expect(out).toHaveLength(4);
    const at = out[0].split(",").indexOf("predicted_y");
    expect(out.slice(1).map((l) => l.split(",")[at])).toEqual(["up", "up", "up"]);
  });

  it.each(["logistic_regression", "linear_regression", "svm", "neural_network"])("%s refuses them, naming the column, the dataset and the count", async (name) => {
    const target = name === "linear_regression" ? "x2" : "y";
    const features = name === "linear_regression" ? "x1" : "x1, x2";
    const r = await run(`model refused_${name} = ${name} predicting ${target} from fit { features: ${features} }`);
    expect(r.ok).toBe(false);
    expect(r.error?.code).toBe("data-error");
    expect(r.error?.message).toMatch(/^feature `x1` has \d+ missing values in `fit`; fill them in a prepare step \(`fill x1 with median`\) or drop those rows \(decision_tree, random_forest and gradient_boosting take missing values as they are\)$/);
  });

  it("a learner that takes missing values still refuses an infinity, and a value beyond a 32-bit float", async () => {
    writeFileSync(path.join(dir, "wild.csv"), "x1,x2,y\n1,inf,up\n,2,down\n3,1,up\n");
    writeFileSync(path.join(dir, "huge.csv"), "x1,x2,y\n1,1e39,up\n,2,down\n3,1,up\n");
    // DuckDB's sniffer reads `inf` as text: the cast makes it the number.
    const wild = await run(`source wild = read "wild.csv"\nprepare cast_wild = wild { cast x2 as number }\nmodel w = gradient_boosting predicting y from cast_wild { features: x1, x2 }`);
    expect([wild.error?.code, wild.error?.message]).toEqual(["data-error", "feature `x2` has 1 infinite values in `cast_wild`"]);
    const huge = await run(`source huge = read "huge.csv"\nmodel h = decision_tree predicting y from huge { features: x1, x2 }`);
    expect([huge.error?.code, huge.error?.message]).toEqual(["data-error", "feature `x2` has values beyond a 32-bit float's range (±3.4e38) in `huge`; scale it in a prepare step"]);
  });
});
