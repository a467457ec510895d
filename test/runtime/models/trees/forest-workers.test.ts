/**
 * The worker-thread path only exists in compiled JavaScript (a worker cannot load the .ts
 * sources vitest runs), so this test transpiles the trees folder with the project's TypeScript
 * into a temp directory and trains through that build.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Learner } from "../../../../runtime/models/types.js";
import { randomForest as sourceForest } from "../../../../runtime/models/trees/random-forest.js";
import { accuracy, penguins, split } from "./datasets.js";

const root = fileURLToPath(new URL("../../../../", import.meta.url));
let outDir = "";
let compiled: Learner;

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), "lathe-trees-build-"));
  const target = join(outDir, "runtime/models/trees");
  // Per-file transpilation (as tsc emits it, without the type check) keeps this test fast. The
  // trees score through the dependency-free scoring folder, so it comes along.
  for (const folder of ["trees", "scoring"]) {
    const from = join(root, "runtime/models", folder);
    const to = join(outDir, "runtime/models", folder);
    mkdirSync(to, { recursive: true });
    for (const file of readdirSync(from).filter((f) => f.endsWith(".ts"))) {
      const source = readFileSync(join(from, file), "utf8");
      const { outputText } = ts.transpileModule(source, {
        compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ES2022 },
        fileName: file,
      });
      writeFileSync(join(to, file.replace(/\.ts$/, ".js")), outputText);
    }
  }
  // The trees' one import outside their folder: the coded errors their option checks throw.
  const errors = ts.transpileModule(readFileSync(join(root, "runtime/errors.ts"), "utf8"), { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ES2022 }, fileName: "errors.ts" });
  writeFileSync(join(outDir, "runtime/errors.js"), errors.outputText);
  writeFileSync(join(outDir, "package.json"), JSON.stringify({ type: "module" }));
  const url = pathToFileURL(join(target, "random-forest.js")).href;
  compiled = ((await import(/* @vite-ignore */ url)) as { randomForest: Learner }).randomForest;
}, 60_000);

afterAll(() => {
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

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
