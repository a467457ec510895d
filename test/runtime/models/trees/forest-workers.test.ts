// The forest's worker threads, through a transpiled build of the trees folder (compiled-trees.ts).
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Learner } from "../../../../runtime/models/types.js";
import { randomForest as sourceForest } from "../../../../runtime/models/trees/random-forest.js";
import { compileTrees, type CompiledTrees } from "./compiled-trees.js";
import { accuracy, penguins, split } from "./datasets.js";

let build: CompiledTrees | undefined;
let compiled: Learner;

beforeAll(async () => {
  build = compileTrees();
  compiled = (await build.load<{ randomForest: Learner }>("random-forest.js")).randomForest;
}, 60_000);

afterAll(() => build?.remove());

describe("random_forest on worker threads (compiled build)", () => {
  const { train, test: held } = split(penguins(), 0.7, 42);
  const base = { task: "classification" as const, x: train.x, y: train.y, classes: train.classes, seed: 5 };

  test("two workers grow the same forest as one thread, and as the source build", async () => {
    const parallel = await compiled.train({ ...base, params: { trees: 30, workers: 2 } });
    const single = await compiled.train({ ...base, params: { trees: 30, workers: 1 } });
    const fromSource = await sourceForest.train({ ...base, params: { trees: 30, workers: 2 } });
    expect((parallel as { trainingThreads?: number }).trainingThreads).toBe(2);
    expect((single as { trainingThreads?: number }).trainingThreads).toBe(1);
    expect(parallel.predictProba!(held.x)).toEqual(single.predictProba!(held.x));
    expect(parallel.toJSON().state).toEqual(single.toJSON().state);
    expect(fromSource.toJSON().state).toEqual(parallel.toJSON().state);
    expect(accuracy(parallel.predict(held.x), held.y)).toBeGreaterThanOrEqual(0.95);
  });

  test("progress arrives once per tree from the workers", async () => {
    const steps: number[] = [];
    await compiled.train({ ...base, params: { trees: 12, workers: 2 }, onProgress: (p) => steps.push(p.step) });
    expect(steps).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
  });

  test("aborting terminates the workers and rejects with an AbortError", async () => {
    const controller = new AbortController();
    let last = 0;
    const training = compiled.train({
      ...base,
      params: { trees: 400, workers: 2 },
      signal: controller.signal,
      onProgress: (p) => {
        last = p.step;
        if (p.step === 5) controller.abort();
      },
    });
    await expect(training).rejects.toMatchObject({ name: "AbortError" });
    const stopped = last;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(last).toBe(stopped);
    expect(stopped).toBeLessThan(400);
  });
});
