import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Session } from "../../api/session.js";
import { searchSpace } from "../../runtime/ops/tune.js";
import { repo } from "../helpers.js";

describe("searchSpace", () => {
  it("lists the whole grid in order", () => {
    expect(searchSpace({ a: [1, 2], b: ["x", "y"] }, "grid", undefined, 1)).toEqual([
      { a: 1, b: "x" },
      { a: 1, b: "y" },
      { a: 2, b: "x" },
      { a: 2, b: "y" },
    ]);
  });

  it("caps a grid at `trials` combinations, in grid order", () => {
    expect(searchSpace({ a: [1, 2, 3] }, "grid", 2, 1)).toEqual([{ a: 1 }, { a: 2 }]);
  });

  it("draws distinct random combinations, the same for the same seed", () => {
    const space = { a: [1, 2, 3, 4], b: [1, 2, 3, 4, 5] };
    const one = searchSpace(space, "random", 6, 42);
    expect(one).toHaveLength(6);
    expect(new Set(one.map((c) => JSON.stringify(c))).size).toBe(6);
    expect(searchSpace(space, "random", 6, 42)).toEqual(one);
    expect(searchSpace(space, "random", 6, 43)).not.toEqual(one);
  });

  it("refuses a grid too large to search exhaustively", () => {
    const big = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`p${i}`, [1, 2]]));
    expect(() => searchSpace(big, "grid", undefined, 1)).toThrow(/use `search random trials N`/);
  });
});

describe("tune in a run", () => {
  const sessions: Session[] = [];
  afterAll(() => sessions.forEach((s) => s.close()));

  it("trains once per combination, keeps the best by the metric on validation", async () => {
    const s = await Session.open({ record: false });
    sessions.push(s);
    const outcome = await s.run(
      `source cars = read "vega-datasets/data/cars.json"
prepare clean = cars { drop rows where Miles_per_Gallon is missing; fill Horsepower with median }
split clean into train 70%, validation 15%, test 15% seed 3
model mpg = decision_tree predicting Miles_per_Gallon from train { features: Cylinders, Displacement, Horsepower, Weight_in_lbs }
tune mpg over { max_depth: [2, 4, 8]; min_samples_leaf: [1, 5] } by rmse on validation
evaluate mpg on validation metrics rmse`,
      { file: path.join(repo, "examples", "tune.lathe") },
    );
    expect(outcome.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(outcome.error).toBeUndefined();
    const tune = outcome.output!.results.find((r) => r.kind === "tune");
    if (tune?.kind !== "tune") throw new Error("no tune result");
    expect(tune.trials).toHaveLength(6);
    const best = Math.min(...tune.trials.map((t) => t.score));
    expect(tune.best.score).toBe(best);
    expect(tune.bundle["image/svg+xml"]).toContain("<svg");
    // The model now is the winning one: its validation rmse is the best trial's score.
    const metrics = outcome.output!.results.find((r) => r.kind === "metrics");
    if (metrics?.kind !== "metrics") throw new Error("no metrics");
    expect(metrics.values.rmse).toBe(best);
    expect(s.executor.modelState("mpg")!.params).toMatchObject(tune.best.params);
  });
});
