import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Session } from "../../api/session.js";
import { repo, tempDir, withEnv } from "../helpers.js";

// 50,000 rows of six features from hashes (no files), a binary, a three-class and a numeric target.
const features = Array.from({ length: 6 }, (_, j) => `(hash(i * 7 + ${j}) % 10000) / 10000.0 - 0.5 AS f${j}`).join(", ");
const noise = "((hash(i * 7 + 6) % 10000) / 10000.0 - 0.5)";
const source = `source d = sql "select *, case when f0 - f1 + 0.5 * f2 + 0.4 * ${noise} > 0 then 'a' else 'b' end as two, case when f0 + f3 + 0.3 * ${noise} > 0.3 then 'hi' when f0 + f3 + 0.3 * ${noise} < -0.3 then 'lo' else 'mid' end as three, 2 * f0 - f3 + 0.5 * f4 + 0.2 * ${noise} as t from (select i, ${features} from range(50000) t(i))"
split d into train 80%, test 20% seed 5`;

const models: [string, string][] = [
  ["binary", "logistic_regression predicting two from train { features: f0, f1, f2, f3, f4, f5 }"],
  ["multi", "logistic_regression predicting three from train { features: f0, f1, f2, f3, f4, f5 }"],
  ["hinge", "svm predicting three from train { features: f0, f1, f2, f3, f4, f5 }"],
  ["svr", "svm predicting t from train { features: f0, f1, f2, f3, f4, f5 }"],
  ["ols", "linear_regression predicting t from train { features: f0, f1, f2, f3, f4, f5 }"],
];
/** The program that trains and evaluates these models. */
const programOf = (list: [string, string][]) => `${source}\n${list.map(([name, model]) => `model ${name} = ${model}\nevaluate ${name} on test`).join("\n")}`;

/** Runs `f` with LATHE_TRAIN_MEMORY set to `budget` (or unset), restoring it after. */
const withBudget = <T>(budget: string | undefined, f: () => Promise<T>): Promise<T> => withEnv("LATHE_TRAIN_MEMORY", budget, f);

// One session for the in-process tests: each run recomputes its steps (no step cache without a record).
let session: Session;
beforeAll(async () => {
  session = await Session.open({ record: false });
});
afterAll(() => session.close());

/** Runs the program of `list` with LATHE_TRAIN_MEMORY set (or not): each model's method, state and metrics. */
async function runWith(s: Session, budget: string | undefined, list = models) {
  return withBudget(budget, async () => {
    const r = await s.run(programOf(list));
    expect(r.error).toBeUndefined();
    return Object.fromEntries(
      list.map(([name]) => {
        const state = s.executor.modelState(name)!;
        const metrics = r.output!.metrics.filter((m) => m.model === name).map((m) => [m.metric, m.value]);
        return [name, { method: state.model.method, state: state.model.toJSON().state as { weights: number[] }, metrics }];
      }),
    );
  });
}

describe("training on rows streamed from DuckDB (over the training memory budget)", () => {
  it("fits linear models the same bit for bit as in memory, and says it streamed", async () => {
    const s = session;
    const inMemory = await runWith(s, undefined);
    // 64 KB: the 40,000 × 6 training columns (≈ 1.1 MB) and the 10,000-row test part are both over it.
    const streamed = await runWith(s, "64KB");
    for (const [name] of models) {
      expect(inMemory[name].method).toBeUndefined();
      expect(streamed[name].method).toBe("streamed");
      const { method: _m, ...streamedState } = streamed[name].state as Record<string, unknown>;
      expect(streamedState).toEqual(inMemory[name].state);
      // Scored a block at a time: the same metrics.
      expect(streamed[name].metrics).toEqual(inMemory[name].metrics);
      expect(streamed[name].metrics.length).toBeGreaterThan(0);
    }
    // Sane fits, not just equal ones.
    const metric = (name: string, m: string) => Number(inMemory[name].metrics.find(([k]) => k === m)![1]);
    expect(metric("binary", "accuracy")).toBeGreaterThan(0.85);
    expect(metric("multi", "accuracy")).toBeGreaterThan(0.8);
    expect(metric("ols", "r2")).toBeGreaterThan(0.9);
  });

  it("grows trees, forests and boosted trees on cells binned a block at a time, edges from a seeded sample: as accurate as in memory", async () => {
    const s = session;
    const trees: [string, string][] = [
      ["tree", "decision_tree predicting three from train { features: f0, f1, f2, f3, f4, f5; max_depth: 8 }"],
      ["forest", "random_forest predicting two from train { features: f0, f1, f2, f3, f4, f5; trees: 8; max_depth: 10 }"],
      // Over 10,000 rows: early stopping on a holdout drawn from the streamed rows.
      ["boost", "gradient_boosting predicting two from train { features: f0, f1, f2, f3, f4, f5; max_iter: 8 }"],
    ];
    const inMemory = await runWith(s, undefined, trees);
    // 256 KB (the training columns take 1.1 MB): edges from a sample of 2,340 of the 40,000 training rows, chunks of about 700 rows.
    const streamed = await runWith(s, "256KB", trees);
    const again = await runWith(s, "256KB", trees);
    for (const [name] of trees) {
      expect(streamed[name].method).toMatch(/^(.*, )?streamed$/);
      expect(inMemory[name].method ?? "").not.toMatch(/streamed/);
      expect(again[name].state).toEqual(streamed[name].state);
      const accuracy = (r: typeof inMemory) => Number(r[name].metrics.find(([k]) => k === "accuracy")![1]);
      expect(Math.abs(accuracy(streamed) - accuracy(inMemory))).toBeLessThan(0.02);
      expect(accuracy(streamed)).toBeGreaterThan(0.75);
    }
  });
});

describe("a neural network on rows streamed from DuckDB", () => {
  it("trains from seeded shuffled ranges: the same seed gives the same weights bit for bit, another seed others", async () => {
    const s = session;
    await withBudget("64KB", async () => {
      const nets = [];
      for (const seed of [1, 1, 2]) {
        // A three-part split: the validation part is streamed too, for the validation loss.
        const r = await s.run(`${source.replace("train 80%, test 20%", "train 70%, valid 10%, test 20%")}
model nn = neural_network predicting three from train { features: f0, f1, f2, f3, f4, f5; layers: [16]; epochs: 4; batch_size: 100; seed: ${seed} }
evaluate nn on test metrics accuracy`);
        expect(r.error?.message).toBeUndefined();
        expect(r.diagnostics).toEqual([]);
        const model = s.executor.modelState("nn")!.model;
        expect(model.method).toBe("streamed");
        expect(model.history!.every((h) => Number.isFinite(h.valLoss))).toBe(true);
        nets.push({ layers: (model.toJSON().state as { layers: unknown }).layers, accuracy: r.output!.metrics[0].value });
      }
      expect(nets[1].layers).toEqual(nets[0].layers);
      expect(nets[2].layers).not.toEqual(nets[0].layers);
      expect(nets[0].accuracy).toBeGreaterThan(0.8);
    });
  });
});

// The whole path a user runs, in a process of its own under a memory cap: DuckDB capped by
// LATHE_MEMORY_LIMIT (spilling to disk), the V8 heap by --max-old-space-size, and the training
// arrays by the budget. What the budget bounds is the typed arrays JS holds (the columns): the
// child samples the live `arrayBuffers` and prints their peak when it exits.
describe("lathe run over the training memory budget, in a capped process", () => {
  const rows = 200_000;
  const d = 16;
  const columns = Array.from({ length: d }, (_, j) => `(hash(i * 31 + ${j}) % 10000) / 10000.0 AS f${j}`).join(", ");
  const program = `source d = sql "select *, case when f0 - f1 + 0.5 * f2 + f3 - f4 > 0.25 then 'a' else 'b' end as y from (select i, ${columns} from range(${rows}) t(i))"
prepare clean = d { scale f0, f1 standard }
split clean into train 80%, test 20% seed 7
model m = logistic_regression predicting y from train { features: ${Array.from({ length: d }, (_, j) => `f${j}`).join(", ")} }
evaluate m on test metrics accuracy
`;
  // Live typed arrays, after a collection (their memory swept at once, not on a background thread):
  // DuckDB's result chunks are ArrayBuffers too, and a pass over the data leaves tens of MB of them
  // as garbage until V8 next collects.
  const sampler = `let peak = 0; const t = setInterval(() => { global.gc(); peak = Math.max(peak, process.memoryUsage().arrayBuffers); }, 100); t.unref();
process.on("exit", () => process.stderr.write("\\nMEMORY " + JSON.stringify({ arrayBuffers: peak }) + "\\n"));`;

  function run(dir: string, budget: string) {
    const r = spawnSync(process.execPath, ["--max-old-space-size=128", "--expose-gc", "--no-concurrent-array-buffer-sweeping", "-r", path.join(dir, "sample.cjs"), path.join(repo, "bin/lathe.js"), "run", "--no-record", "--no-cache", "p.lathe"], { cwd: dir, encoding: "utf8", timeout: 120_000, env: { ...process.env, LATHE_MEMORY_LIMIT: "64MB", LATHE_TEMP_DIR: path.join(dir, "spill"), LATHE_TRAIN_MEMORY: budget } });
    expect(r.status, r.stderr).toBe(0);
    const memory = JSON.parse(/MEMORY (.*)/.exec(r.stderr)![1]) as { arrayBuffers: number };
    const accuracy = Number(/accuracy\s+([\d.]+)\s*$/m.exec(r.stdout)![1]);
    return { out: r.stdout, memory, accuracy };
  }

  it("trains and evaluates streamed, holding a fraction of the columns in JS, with the in-memory model's accuracy", () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, "p.lathe"), program);
    writeFileSync(path.join(dir, "sample.cjs"), sampler);
    const columnBytes = Math.round(rows * 0.8) * (d + 1) * 4;
    const streamed = run(dir, "4MB");
    const inMemory = run(dir, "1GB");
    expect(streamed.out).toMatch(/train m \(logistic_regression\): \d+ rows, 16 features, 2 classes, streamed/);
    expect(inMemory.out).not.toMatch(/streamed/);
    expect(streamed.accuracy).toBe(inMemory.accuracy);
    expect(streamed.accuracy).toBeGreaterThan(0.95);
    // In memory the columns are held at once (10.9 MB); streamed, a few blocks of the 4 MB budget.
    expect(inMemory.memory.arrayBuffers).toBeGreaterThan(columnBytes);
    expect(streamed.memory.arrayBuffers).toBeLessThan(columnBytes / 2);
    // Peak RSS is not compared here: at this size node and DuckDB's own ~200 MB hide an 11 MB
    // difference (bench/scale.mjs --case ooc measures it on data many times the cap).
  });
});
