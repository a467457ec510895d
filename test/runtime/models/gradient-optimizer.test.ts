import { describe, expect, it } from "vitest";
import { adam, sgd } from "../../../runtime/models/gradient-optimizer.js";

describe("gradient optimisers", () => {
  it("adam's first step moves each parameter by the learning rate against its gradient's sign", () => {
    const p = [Float32Array.of(1, -1)];
    adam(0.1).step(p, [Float64Array.of(3, -0.5)]);
    expect(p[0][0]).toBeCloseTo(0.9, 6);
    expect(p[0][1]).toBeCloseTo(-0.9, 6);
  });

  it("both minimise a quadratic", () => {
    for (const opt of [adam(0.05), sgd(0.05)]) {
      const p = [Float32Array.of(4, -3)];
      for (let i = 0; i < 500; i++) opt.step(p, [Float64Array.from(p[0], (v) => 2 * v)]);
      expect(Math.abs(p[0][0]) + Math.abs(p[0][1])).toBeLessThan(0.05);
    }
  });
});
