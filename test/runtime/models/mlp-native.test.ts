import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
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

  // A build copied to another CPU must not die on an instruction that CPU lacks: the module is
  // compiled for the baseline and only the dispatched copies use wider units.
  describe("portable build with run-time dispatch", () => {
    const chosen = native?.info().variant;
    afterEach(() => void (chosen && native!.select(chosen)));

    it("describes itself: the variant in use, those this CPU runs, compiler and flags (no -march)", () => {
      const info = native!.info();
      expect(info.variants).toContain(info.variant);
      expect(info.variants[info.variants.length - 1]).toMatch(/^(x86-64|baseline)$/);
      expect(info.compiler).toMatch(/^(gcc|clang) \d/);
      expect(info.flags).toContain("-ffp-contract=off");
      expect(info.flags).not.toMatch(/-march|-mavx|-mfma/);
      expect(native!.select("no-such-isa")).toBe(false);
    });

    it.skipIf(process.arch !== "x64")("uses AVX instructions only inside the AVX2 copies", () => {
      const file = fileURLToPath(new URL(`../../../dist/native/${process.platform}-${process.arch}/lathe-native.node`, import.meta.url));
      const asm = execFileSync("objdump", ["-d", "--no-show-raw-insn", file], { encoding: "utf8", maxBuffer: 64 << 20 });
      const offending: string[] = [];
      let fn = "";
      for (const line of asm.split("\n")) {
        const head = /^[0-9a-f]+ <(.+)>:$/.exec(line);
        if (head) fn = head[1];
        // VEX/EVEX-encoded (AVX) instructions touch ymm/zmm or carry the v prefix on vector mnemonics.
        else if (/\t(v[a-z0-9]+)\s/.test(line) && !/avx2/.test(fn)) offending.push(`${fn}: ${line.trim()}`);
      }
      expect(offending.slice(0, 5)).toEqual([]);
    });

    it("gives the baseline's weights bit for bit in every variant this CPU runs", () => {
      const { rows, targets } = problem(333, 5, 3, 5);
      const regression = problem(333, 5, 0, 6);
      const train = (variant: string, c: MlpConfig, t: Float32Array) => {
        expect(native!.select(variant)).toBe(true);
        const e = nativeMlpEngine(native!, c, initialBlocks(c.sizes, 9), rows, t);
        const rng = new SeededRandom(4);
        const order = Uint32Array.from({ length: 333 }, (_, i) => i);
        const losses = Array.from({ length: 4 }, () => e.train(rng.shuffle(order), 0, 333, rng));
        return { losses, weights: e.snapshot(), loss: e.loss(rows, t) };
      };
      const configs: [MlpConfig, Float32Array][] = [
        [{ ...base, dropout: 0.2 }, targets],
        [{ ...base, activation: "tanh", optimizer: "sgd", regression: true, sizes: [5, 33, 17, 1] }, regression.targets],
      ];
      const variants = native!.info().variants;
      for (const [c, t] of configs) {
        const reference = train(variants[variants.length - 1], c, t);
        for (const v of variants.slice(0, -1)) expect(train(v, c, t), v).toEqual(reference);
      }
    });
  });

  it("rejects inconsistent buffers with an error instead of reading out of bounds", () => {
    const { rows, targets } = problem(10, 5, 3, 1);
    const e = nativeMlpEngine(native!, base, initialBlocks(base.sizes, 1), rows, targets);
    expect(() => e.train(Uint32Array.of(0, 99), 0, 2, new SeededRandom(1))).toThrow(/out of range/);
    expect(() => e.loss(rows.subarray(0, 7), targets)).toThrow(/inconsistent sizes/);
    expect(() => native!.create(Int32Array.of(5, 4), new Float64Array(11), [new Float32Array(3), new Float32Array(4)])).toThrow(/wrong type or size/);
  });
});
