import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { addBlocks, blockCount, blockStride, BLOCK_ROWS, passBlocks, type PassData, type PassLoss } from "../../../runtime/models/linear-pass.js";
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
