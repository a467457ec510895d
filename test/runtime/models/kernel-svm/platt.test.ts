import { describe, expect, it } from "vitest";
import { fitSigmoid } from "../../../../runtime/models/kernel-svm/platt.js";
import { couplePairwise, sigmoidProbability } from "../../../../runtime/models/scoring/platt-probability.js";
import { SeededRandom } from "../../../../runtime/models/seeded-random.js";

describe("Platt scaling", () => {
  it("fits a sigmoid that tracks the observed positive rate along the decision value", () => {
    // Labels drawn with P(positive | f) = 1 / (1 + exp(-2f)): the fit should find A ≈ -2, B ≈ 0.
    const rng = new SeededRandom(3);
    const n = 20_000;
    const f = Float64Array.from({ length: n }, () => rng.next() * 6 - 3);
    const positive = Uint8Array.from(f, (v) => (rng.next() < 1 / (1 + Math.exp(-2 * v)) ? 1 : 0));
    const s = fitSigmoid(f, positive);
    expect(s.a).toBeCloseTo(-2, 0);
    expect(Math.abs(s.b)).toBeLessThan(0.15);
    expect(sigmoidProbability(3, s)).toBeGreaterThan(0.99);
    expect(sigmoidProbability(-3, s)).toBeLessThan(0.01);
    // Far-out decision values neither overflow nor lose the tail.
    expect(sigmoidProbability(1e6, s)).toBe(1);
    expect(sigmoidProbability(-1e6, s)).toBe(0);
  });

  it("couples consistent pairwise probabilities back into the class probabilities", () => {
    const p = [0.5, 0.3, 0.15, 0.05];
    const k = p.length;
    const r = new Float64Array(k * k);
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) if (i !== j) r[i * k + j] = p[i] / (p[i] + p[j]);
    const out = new Float64Array(k);
    couplePairwise(k, r, out, new Float64Array(k * k), new Float64Array(k));
    // libsvm stops once the fixed-point error is below 0.005 / k.
    out.forEach((v, c) => expect(v).toBeCloseTo(p[c], 2));
    expect(out.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
  });
});
