import { describe, expect, it } from "vitest";
import type { MlpConfig } from "../../../runtime/models/mlp-engine.js";
import { nativeMlpEngine } from "../../../runtime/models/mlp-native.js";
import { tfjsMlpEngine } from "../../../runtime/models/mlp-tfjs.js";
import { nativeMlp } from "../../../runtime/models/native-engine.js";
import { SeededRandom } from "../../../runtime/models/seeded-random.js";

// `npm test` builds the module first (pretest); a missing module here means the build is broken.
const native = nativeMlp();

/** A random problem: rows n×d in [-1, 1), class labels or real targets. */
function problem(n: number, d: number, classes: number, seed: number) {
  const rng = new SeededRandom(seed);
  const rows = Float32Array.from({ length: n * d }, () => 2 * rng.next() - 1);
  const targets = Float32Array.from({ length: n }, (_, i) => (classes ? (rows[i * d] + rows[i * d + 1] > 0 ? 1 : 0) + (classes > 2 && rows[i * d + 2] > 0.5 ? 1 : 0) : rows[i * d] * 2 - rows[i * d + 1]));
  return { rows, targets };
}

function initialBlocks(sizes: number[], seed: number): Float32Array[] {
  const rng = new SeededRandom(seed);
  return sizes.slice(1).flatMap((out, l) => [
    Float32Array.from({ length: sizes[l] * out }, () => (2 * rng.next() - 1) * 0.5),
    Float32Array.from({ length: out }, () => (2 * rng.next() - 1) * 0.1),
  ]);
}

const base: MlpConfig = { sizes: [5, 64, 37, 3], activation: "relu", regression: false, dropout: 0, optimizer: "adam", learningRate: 0.01, momentum: 0.9, l2: 0.001, batchSize: 32 };

describe("the native MLP engine", () => {
  it("is built by npm run build", () => {
    expect(native).toBeDefined();
  });

  // The same steps from the same weights on both engines: the native backprop, penalty and
  // optimisers must agree with the TensorFlow.js path to float32 rounding.
  const variants: [string, Partial<MlpConfig>][] = [
    ["relu, adam, softmax", {}],
    ["tanh, sgd", { activation: "tanh", optimizer: "sgd" }],
    ["sigmoid, regression", { activation: "sigmoid", regression: true, sizes: [5, 16, 9, 1] }],
    ["one hidden layer, no penalty, a partial last batch", { sizes: [5, 70, 3], l2: 0 }],
  ];
  for (const [name, change] of variants) {
    it(`matches the TensorFlow.js engine step for step (${name})`, async () => {
      const c = { ...base, ...change };
      const classes = c.regression ? 0 : c.sizes[c.sizes.length - 1];
      const { rows, targets } = problem(150, c.sizes[0], classes, 7);
      const order = Uint32Array.from({ length: 150 }, (_, i) => (i * 37) % 150);
      const a = nativeMlpEngine(native!, c, initialBlocks(c.sizes, 3), rows, targets);
      const b = await tfjsMlpEngine(c, initialBlocks(c.sizes, 3), rows, targets);
      for (let epoch = 0; epoch < 3; epoch++) {
        const la = a.train(order, 0, 150, new SeededRandom(1));
        const lb = b.train(order, 0, 150, new SeededRandom(1));
        expect(la).toBeCloseTo(lb, 3);
      }
      const wa = a.snapshot();
      const wb = b.snapshot();
      for (let k = 0; k < wa.length; k++) {
        const err = wa[k].reduce((m, v, i) => Math.max(m, Math.abs(v - wb[k][i])), 0);
        expect(err, `block ${k}`).toBeLessThan(2e-4);
      }
      expect(a.loss(rows, targets)).toBeCloseTo(b.loss(rows, targets), 4);
      b.dispose?.();
    });
  }

  it("learns, and replays dropout masks exactly from the seed", () => {
    const c = { ...base, dropout: 0.3 };
    const { rows, targets } = problem(400, 5, 3, 11);
    const run = (seed: number) => {
      const order = Uint32Array.from({ length: 400 }, (_, i) => i);
      const e = nativeMlpEngine(native!, c, initialBlocks(c.sizes, 5), rows, targets);
      const rng = new SeededRandom(seed);
      const first = e.loss(rows, targets);
      for (let epoch = 0; epoch < 30; epoch++) e.train(rng.shuffle(order), 0, 400, rng);
      return { first, last: e.loss(rows, targets), weights: e.snapshot() };
    };
    const a = run(1);
    expect(a.last).toBeLessThan(a.first / 3);
    expect(run(1).weights).toEqual(a.weights);
    expect(run(2).weights).not.toEqual(a.weights);
  });

  it("rejects inconsistent buffers with an error instead of reading out of bounds", () => {
    const { rows, targets } = problem(10, 5, 3, 1);
    const e = nativeMlpEngine(native!, base, initialBlocks(base.sizes, 1), rows, targets);
    expect(() => e.train(Uint32Array.of(0, 99), 0, 2, new SeededRandom(1))).toThrow(/out of range/);
    expect(() => e.loss(rows.subarray(0, 7), targets)).toThrow(/inconsistent sizes/);
    expect(() => native!.create(Int32Array.of(5, 4), new Float64Array(11), [new Float32Array(3), new Float32Array(4)])).toThrow(/wrong type or size/);
  });
});
