// The histogram pass on worker threads, through a transpiled build of the trees folder (compiled-trees.ts).
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { gradientBoosting as sourceBoosting } from "../../../../runtime/models/trees/gradient-boosting.js";
import type { Learner, TrainInput } from "../../../../runtime/models/types.js";
import { compileTrees, type CompiledTrees } from "./compiled-trees.js";
import { nativeBoosting } from "../../../../runtime/models/native-engine.js";
import { Rng } from "../../../../runtime/models/trees/prng.js";
import { penguins, split, type Dataset } from "./datasets.js";

let build: CompiledTrees | undefined;
let compiled: Learner;

beforeAll(async () => {
  build = compileTrees();
  compiled = (await build.load<{ gradientBoosting: Learner }>("gradient-boosting.js")).gradientBoosting;
}, 60_000);

afterAll(() => build?.remove());

/** Rows enough that nodes share their histogram pass with the workers (over 50,000 cells), some values missing. */
function synthetic(n: number, task: "classification" | "regression"): Dataset {
  const rng = new Rng(9);
  const columns = Array.from({ length: 6 }, () => Float32Array.from({ length: n }, () => (rng.nextInt(50) === 0 ? NaN : rng.nextInt(10_000) / 100)));
  const score = (i: number) => (columns[0][i] || 0) - (columns[1][i] || 0) + (columns[2][i] > 50 ? 30 : 0) + rng.nextInt(40);
  const y = Float32Array.from({ length: n }, (_, i) => (task === "classification" ? Math.min(2, Math.max(0, Math.floor(score(i) / 40))) : score(i)));
  return { x: { n, columns, names: columns.map((_, j) => `x${j}`) }, y, classes: task === "classification" ? ["a", "b", "c"] : [] };
}

describe("gradient_boosting's histograms on worker threads (compiled build)", () => {
  test("two and three threads grow the same trees as one, and as the source build, bit for bit", async () => {
    const d = synthetic(12_000, "classification");
    // Early stopping on: the holdout and the validation curve take part too.
    const base: TrainInput = { task: "classification", x: d.x, y: d.y, classes: d.classes, seed: 5, params: { max_iter: 4, early_stopping: true } };
    const single = await compiled.train({ ...base, params: { ...base.params, workers: 1 } });
    expect((single as { trainingThreads?: number }).trainingThreads).toBe(1);
    for (const workers of [2, 3]) {
      const parallel = await compiled.train({ ...base, params: { ...base.params, workers } });
      expect((parallel as { trainingThreads?: number }).trainingThreads).toBe(workers);
      expect(JSON.stringify(parallel.toJSON().state)).toBe(JSON.stringify(single.toJSON().state));
    }
    const fromSource = await sourceBoosting.train({ ...base, params: { ...base.params, workers: 2 } });
    expect(JSON.stringify(fromSource.toJSON().state)).toBe(JSON.stringify(single.toJSON().state));
  });

  test("the JavaScript histogram pass (LATHE_KERNELS=js) grows the same trees as the native one", async () => {
    // A second build, loaded with the variable set: each thread picks its engine once, at its first pass.
    const jsBuild = compileTrees();
    const saved = process.env.LATHE_KERNELS;
    process.env.LATHE_KERNELS = "js";
    try {
      const d = synthetic(12_000, "classification");
      const base: TrainInput = { task: "classification", x: d.x, y: d.y, classes: d.classes, seed: 5, params: { max_iter: 4, early_stopping: true, workers: 2 } };
      const { gradientBoosting: jsLearner } = await jsBuild.load<{ gradientBoosting: Learner }>("gradient-boosting.js");
      const { histogramEngine } = await jsBuild.load<{ histogramEngine: () => string }>("gradient-histograms.js");
      const js = await jsLearner.train(base);
      expect(histogramEngine()).toBe("js");
      delete process.env.LATHE_KERNELS;
      const native = await compiled.train(base);
      const { histogramEngine: compiledEngine } = await build!.load<{ histogramEngine: () => string }>("gradient-histograms.js");
      // Where the module is not built both are JavaScript, and the comparison still holds.
      expect(compiledEngine()).toBe(nativeBoosting() ? "native" : "js");
      expect(JSON.stringify(js.toJSON().state)).toBe(JSON.stringify(native.toJSON().state));
    } finally {
      if (saved === undefined) delete process.env.LATHE_KERNELS;
      else process.env.LATHE_KERNELS = saved;
      jsBuild.remove();
    }
  });

  test("regression (constant hessians) on two threads", async () => {
    const d = synthetic(12_000, "regression");
    const base: TrainInput = { task: "regression", x: d.x, y: d.y, classes: [], seed: 5, params: { max_iter: 4 } };
    const single = await compiled.train({ ...base, params: { ...base.params, workers: 1 } });
    const parallel = await compiled.train({ ...base, params: { ...base.params, workers: 2 } });
    expect(JSON.stringify(parallel.toJSON().state)).toBe(JSON.stringify(single.toJSON().state));
  });

  test("an abort stops training and the workers", async () => {
    const { train } = split(penguins(), 0.7, 42);
    const controller = new AbortController();
    const training = compiled.train({ task: "classification", x: train.x, y: train.y, classes: train.classes, seed: 5, params: { max_iter: 1_000_000, workers: 2 }, signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    await expect(training).rejects.toMatchObject({ name: "AbortError" });
  });
});
