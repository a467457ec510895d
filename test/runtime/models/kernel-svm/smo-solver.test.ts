import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { KernelRows, SvcQ } from "../../../../runtime/models/kernel-svm/rbf-kernel.js";
import { rbf } from "../../../../runtime/models/scoring/rbf.js";
import { solveSmo } from "../../../../runtime/models/kernel-svm/smo-solver.js";
import { SeededRandom } from "../../../../runtime/models/seeded-random.js";

/** A C-SVC dual solution is optimal when it is feasible and no pair of variables can improve it by more than eps (the KKT gap). */
describe("solveSmo", () => {
  it("returns feasible C-SVC solutions whose KKT gap is below eps, with and without shrinking", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 2, max: 80 }), fc.integer({ min: 1, max: 5 }), fc.double({ min: 0.05, max: 20, noNaN: true }), fc.integer({ min: 0, max: 1000 }), fc.boolean(), async (l, d, c, seed, shrinking) => {
        const rng = new SeededRandom(seed);
        const rows = Float32Array.from({ length: l * d }, () => rng.normal());
        const y = Int8Array.from({ length: l }, (_, i) => (i === 0 ? 1 : i === 1 ? -1 : rng.next() < 0.5 ? 1 : -1));
        const gamma = 1 / d;
        const eps = 1e-4;
        const s = await solveSmo({ Q: new SvcQ(new KernelRows({ rows, d, gamma }, 1 << 20), Int32Array.from({ length: l }, (_, i) => i), y), p: new Float64Array(l).fill(-1), y, cp: c, cn: c, eps, maxIter: 1e6, shrinking });
        let balance = 0;
        for (let i = 0; i < l; i++) {
          expect(s.alpha[i]).toBeGreaterThanOrEqual(0);
          expect(s.alpha[i]).toBeLessThanOrEqual(c);
          balance += y[i] * s.alpha[i];
        }
        expect(Math.abs(balance)).toBeLessThan(1e-9 * Math.max(1, c * l));
        // Gradient of ½αᵀQα − eᵀα, recomputed from scratch in float64.
        let upMax = -Infinity;
        let lowMin = Infinity;
        for (let i = 0; i < l; i++) {
          let g = -1;
          for (let j = 0; j < l; j++) g += y[i] * y[j] * Math.fround(rbf(rows, i, rows, j, d, gamma)) * s.alpha[j];
          const v = -y[i] * g;
          const inUp = (y[i] === 1 && s.alpha[i] < c) || (y[i] === -1 && s.alpha[i] > 0);
          const inLow = (y[i] === 1 && s.alpha[i] > 0) || (y[i] === -1 && s.alpha[i] < c);
          if (inUp) upMax = Math.max(upMax, v);
          if (inLow) lowMin = Math.min(lowMin, v);
        }
        expect(upMax - lowMin).toBeLessThan(eps * 1.01 + 1e-9);
      }),
      { numRuns: 60 },
    );
  });
});
