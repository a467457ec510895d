import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { addBlocks, blockCount, blockStride, BLOCK_ROWS, passBlocks, passBlocksJs, type PassData, type PassLoss } from "../../../runtime/models/linear-pass.js";
import { nativeLinearPass } from "../../../runtime/models/native-engine.js";
import { SeededRandom } from "../../../runtime/models/seeded-random.js";

/** Random columns (means and scales far from 0 and 1, so the on-the-fly standardisation matters) and labels. */
function problem(n: number, d: number, k: number, loss: PassLoss, seed = 3): PassData {
  const rng = new SeededRandom(seed);
  const columns = Array.from({ length: d }, (_, j) => Float32Array.from({ length: n }, () => 50 * j + (j + 1) * rng.normal()));
  const classes = k === 1 ? 2 : k;
  const y = Float32Array.from({ length: n }, () => (loss === "squared-epsilon-insensitive" ? 7 + 3 * rng.normal() : Math.floor(rng.next() * classes)));
  return {
    columns,
    n,
    k,
    mean: Float64Array.from({ length: d }, (_, j) => 50 * j),
    scale: Float64Array.from({ length: d }, (_, j) => 1 / (j + 1)),
    loss,
    y,
    targetMean: 7,
    targetScale: 1 / 3,
    epsilon: 0.1,
  };
}

function sums(data: PassData, w: Float64Array, ranges: [number, number][]): { loss: number; grad: Float64Array } {
  const d = data.columns.length;
  const out = new Float64Array(blockCount(data.n) * blockStride(d, data.k));
  const scores = new Float64Array(data.k * BLOCK_ROWS);
  for (const [from, to] of ranges) passBlocks(data, w, from, to, out, scores);
  return addBlocks(out, blockCount(data.n), d, data.k);
}

/** The summed loss straight from its definition, row by row over standardised features. */
function reference(data: PassData, w: Float64Array): number {
  const { n, k, columns, mean, scale, y } = data;
  const d = columns.length;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const z = Array.from({ length: k }, (_, c) => w[d * k + c] + columns.reduce((s, col, j) => s + (col[i] - mean[j]) * scale[j] * w[j * k + c], 0));
    if (data.loss === "logistic") total += Math.log(1 + Math.exp(z[0])) - y[i] * z[0];
    else if (data.loss === "softmax") total += Math.log(z.reduce((s, v) => s + Math.exp(v), 0)) - z[y[i]];
    else if (data.loss === "squared-hinge") total += z.reduce((s, v, c) => s + Math.max(0, 1 - (y[i] === (k === 1 ? 1 : c) ? 1 : -1) * v) ** 2, 0);
    else total += Math.max(0, Math.abs(z[0] - (y[i] - data.targetMean) * data.targetScale) - data.epsilon) ** 2;
  }
  return total;
}

const cases: [PassLoss, number][] = [
  ["logistic", 1],
  ["softmax", 4],
  ["softmax", 2],
  ["squared-hinge", 1],
  ["squared-hinge", 5],
  ["squared-epsilon-insensitive", 1],
];

describe("the linear data term over feature columns", () => {
  it.each(cases)("%s with %i score columns: the loss of its definition and its gradient", (loss, k) => {
    // Five features: one score column takes four at a time, then the fifth alone.
    const data = problem(300, 5, k, loss);
    const rng = new SeededRandom(9);
    const w = Float64Array.from({ length: 6 * k }, () => 0.3 * rng.normal());
    const at = sums(data, w, [[0, 1]]);
    expect(at.loss).toBeCloseTo(reference(data, w), 8);
    // Central differences of the summed loss, coordinate by coordinate.
    for (let q = 0; q < w.length; q++) {
      const h = 1e-5;
      const up = Float64Array.from(w);
      const down = Float64Array.from(w);
      up[q] += h;
      down[q] -= h;
      const numeric = (sums(data, up, [[0, 1]]).loss - sums(data, down, [[0, 1]]).loss) / (2 * h);
      expect(at.grad[q]).toBeCloseTo(numeric, 3);
    }
  });

  it("gives the same sums bit for bit however the blocks are shared out", () => {
    const data = problem(3 * BLOCK_ROWS + 123, 5, 3, "softmax");
    const w = Float64Array.from({ length: 18 }, (_, q) => Math.sin(q));
    const whole = sums(data, w, [[0, 4]]);
    const parts = sums(data, w, [
      [2, 4],
      [0, 1],
      [1, 2],
    ]);
    expect(parts.loss).toBe(whole.loss);
    expect(parts.grad).toEqual(whole.grad);
  });

  // Worker threads load the compiled worker (the build runs before the tests): the objective on two
  // threads must equal the one on this thread alone.
  const compiled = fileURLToPath(new URL("../../../dist/runtime/models/linear-objective.js", import.meta.url));
  it.runIf(existsSync(compiled))("gives the same objective on worker threads as on one thread", async () => {
    const { openLinearObjective } = (await import(compiled)) as typeof import("../../../runtime/models/linear-objective.js");
    const data = problem(5 * BLOCK_ROWS + 7, 4, 3, "softmax");
    const w = Float64Array.from({ length: 15 }, (_, q) => Math.cos(q));
    const one = await openLinearObjective(data, 0.01, 1);
    const two = await openLinearObjective(data, 0.01, 2);
    try {
      expect(two.threads).toBe(2);
      const a = await one.objective(w);
      const b = await two.objective(w);
      expect(b.loss).toBe(a.loss);
      expect(b.grad).toEqual(a.grad);
    } finally {
      await one.close();
      await two.close();
    }
  });
});

/** Every block's sums at w by one pass function, as the bytes of its output. */
function blockBytes(pass: typeof passBlocks, data: PassData, w: Float64Array): Buffer {
  const out = new Float64Array(blockCount(data.n) * blockStride(data.columns.length, data.k));
  pass(data, w, 0, blockCount(data.n), out, new Float64Array(data.k * BLOCK_ROWS));
  return Buffer.from(out.buffer);
}

/** Problems of every loss, with ragged row counts (a row tail of 1–3, a short last block) and feature counts on and off multiples of four. */
const twinCases: [PassLoss, number, number, number][] = [
  ["logistic", 1, 20, BLOCK_ROWS + 3],
  ["logistic", 1, 5, 301],
  ["logistic", 1, 3, 9],
  ["softmax", 3, 17, BLOCK_ROWS + 1],
  ["softmax", 2, 4, 302],
  ["softmax", 5, 1, 97],
  ["squared-hinge", 1, 6, 300],
  ["squared-hinge", 4, 9, 299],
  ["squared-epsilon-insensitive", 1, 8, 303],
];

describe.skipIf(!nativeLinearPass())("the native linear pass", () => {
  const weights = (data: PassData, scale: number, seed: number) => {
    const rng = new SeededRandom(seed);
    return Float64Array.from({ length: (data.columns.length + 1) * data.k }, () => scale * rng.normal());
  };

  // Small weights keep scores near 0; large ones reach exp's underflow bound and big |scores|.
  it.each(twinCases)("%s with %i score columns, %i features, %i rows: the JavaScript twin's doubles bit for bit", (loss, k, d, n) => {
    const data = problem(n, d, k, loss, n + d);
    for (const scale of [0.05, 3]) {
      const w = weights(data, scale, d);
      expect(blockBytes(passBlocks, data, w).equals(blockBytes(passBlocksJs, data, w))).toBe(true);
    }
  });

  it("gives the same doubles on the baseline instruction set (another CPU's code path)", () => {
    if (process.arch !== "x64") return;
    const compiled = new URL("../../../dist/runtime/models/linear-pass.js", import.meta.url).href;
    const script = `
      const { passBlocks, blockCount, blockStride, BLOCK_ROWS } = await import(${JSON.stringify(compiled)});
      const chunks = [];
      for await (const c of process.stdin) chunks.push(c);
      const data = JSON.parse(Buffer.concat(chunks).toString(), (k, v) => (v && v.f32 ? Float32Array.from(v.f32) : v && v.f64 ? Float64Array.from(v.f64) : v));
      const out = new Float64Array(blockCount(data.n) * blockStride(data.columns.length, data.k));
      passBlocks(data, data.w, 0, blockCount(data.n), out, new Float64Array(data.k * BLOCK_ROWS));
      process.stdout.write(Buffer.from(out.buffer).toString("hex"));`;
    const data = problem(BLOCK_ROWS + 5, 9, 3, "softmax", 11);
    const w = weights(data, 0.5, 2);
    const arg = JSON.stringify({ ...data, w }, (_, v) => (v instanceof Float32Array ? { f32: Array.from(v) } : v instanceof Float64Array ? { f64: Array.from(v) } : v));
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { input: arg, encoding: "utf8", env: { ...process.env, LATHE_NATIVE_ISA: "x86-64" } });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(blockBytes(passBlocksJs, data, w).toString("hex"));
  });

  it("checks its arguments", () => {
    const native = nativeLinearPass()!;
    const data = problem(100, 3, 1, "logistic");
    const w = new Float64Array(4);
    const out = new Float64Array(blockStride(3, 1));
    const scores = new Float64Array(BLOCK_ROWS);
    const targets = new Float64Array(3);
    const call = (over: Partial<{ cols: Float32Array[]; n: number; loss: number; w: Float64Array; to: number; out: Float64Array; scores: Float64Array }>) => () =>
      native.linearPass(over.cols ?? data.columns, data.y, over.n ?? 100, 1, over.loss ?? 0, data.mean, data.scale, targets, over.w ?? w, 0, over.to ?? 1, over.out ?? out, over.scores ?? scores);
    expect(call({})).not.toThrow();
    expect(call({ cols: [data.columns[0], data.columns[1], data.columns[2].subarray(1)] })).toThrow(/at least n values/);
    expect(call({ n: 101 })).toThrow(/no larger than y/);
    expect(call({ loss: 4 })).toThrow(/loss must be/);
    expect(call({ w: new Float64Array(3) })).toThrow(/weights/);
    expect(call({ to: 2 })).toThrow(/range of the rows' blocks/);
    expect(call({ out: new Float64Array(4) })).toThrow(/a block/);
    expect(call({ scores: new Float64Array(10) })).toThrow(/k × 4096/);
  });
});
