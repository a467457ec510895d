import { describe, expect, it } from "vitest";
import { minimizeLbfgs } from "../../../runtime/models/lbfgs.js";

describe("minimizeLbfgs", () => {
  it("finds the minimum of the Rosenbrock function", async () => {
    const f = (x: Float64Array) => {
      const [a, b] = x;
      return {
        loss: (1 - a) ** 2 + 100 * (b - a * a) ** 2,
        grad: Float64Array.of(-2 * (1 - a) - 400 * a * (b - a * a), 200 * (b - a * a)),
      };
    };
    const r = await minimizeLbfgs(f, Float64Array.of(-1.2, 1), { maxIter: 500, tol: 1e-8 });
    expect(r.converged).toBe(true);
    expect(r.x[0]).toBeCloseTo(1, 5);
    expect(r.x[1]).toBeCloseTo(1, 5);
    expect(r.history.length).toBe(r.iterations + 1);
  });

  it("stops at maxIter and rejects with an AbortError when aborted", async () => {
    const f = (x: Float64Array) => ({ loss: x[0] ** 4, grad: Float64Array.of(4 * x[0] ** 3) });
    const r = await minimizeLbfgs(f, Float64Array.of(3), { maxIter: 2, tol: 0 });
    expect(r.iterations).toBe(2);
    const controller = new AbortController();
    controller.abort();
    await expect(minimizeLbfgs(f, Float64Array.of(3), { maxIter: 10, tol: 0, signal: controller.signal })).rejects.toMatchObject({
      name: "AbortError",
    });
  });
});
