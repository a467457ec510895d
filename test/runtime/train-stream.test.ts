import { afterAll, describe, expect, it } from "vitest";
import { Session } from "../../api/session.js";

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
const program = `${source}\n${models.map(([name, model]) => `model ${name} = ${model}\nevaluate ${name} on test`).join("\n")}`;

/** Runs the program with LATHE_TRAIN_MEMORY set (or not): each model's method, state and metrics. */
async function runWith(s: Session, budget: string | undefined) {
  const before = process.env.LATHE_TRAIN_MEMORY;
  if (budget === undefined) delete process.env.LATHE_TRAIN_MEMORY;
  else process.env.LATHE_TRAIN_MEMORY = budget;
  try {
    const r = await s.run(program);
    expect(r.error).toBeUndefined();
    return Object.fromEntries(
      models.map(([name]) => {
        const state = s.executor.modelState(name)!;
        const metrics = r.output!.metrics.filter((m) => m.model === name).map((m) => [m.metric, m.value]);
        return [name, { method: state.model.method, state: state.model.toJSON().state as { weights: number[] }, metrics }];
      }),
    );
  } finally {
    if (before === undefined) delete process.env.LATHE_TRAIN_MEMORY;
    else process.env.LATHE_TRAIN_MEMORY = before;
  }
}

describe("training on rows streamed from DuckDB (over the training memory budget)", () => {
  const sessions: Session[] = [];
  afterAll(() => sessions.forEach((s) => s.close()));

  it("fits linear models the same bit for bit as in memory, and says it streamed", async () => {
    const s = await Session.open({ record: false });
    sessions.push(s);
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
});

describe("a neural network on rows streamed from DuckDB", () => {
  const sessions: Session[] = [];
  afterAll(() => sessions.forEach((s) => s.close()));

  it("trains from seeded shuffled ranges: the same seed gives the same weights bit for bit, another seed others", async () => {
    const s = await Session.open({ record: false });
    sessions.push(s);
    const before = process.env.LATHE_TRAIN_MEMORY;
    process.env.LATHE_TRAIN_MEMORY = "64KB";
    try {
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
    } finally {
      if (before === undefined) delete process.env.LATHE_TRAIN_MEMORY;
      else process.env.LATHE_TRAIN_MEMORY = before;
    }
  });
});
