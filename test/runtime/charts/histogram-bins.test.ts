import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { binEdges, countInBins, histogram, numericExtent } from "../../../runtime/charts/index.js";

describe("histogram bins", () => {
  it("covers every value with nice, evenly spaced edges and loses no count", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 200 }),
        fc.integer({ min: 1, max: 50 }),
        (values, maxbins) => {
          const h = histogram(values, maxbins);
          const [lo, hi] = numericExtent(values)!;
          expect(h.edges[0]).toBeLessThanOrEqual(lo);
          expect(h.edges[h.edges.length - 1]).toBeGreaterThanOrEqual(hi);
          expect(h.counts.reduce((a, b) => a + b, 0)).toBe(values.length);
          expect(h.counts.length).toBe(h.edges.length - 1);
        },
      ),
    );
  });

  it("uses round boundaries, a unit bin for a constant column, and counts missing values apart", () => {
    expect(binEdges([0.3, 97.2], 20)).toEqual([0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90, 95, 100]);
    expect(binEdges([0, 0.9], 10)).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]);
    expect(histogram([7, 7, 7])).toEqual({ edges: [6.5, 7.5], counts: [3], missing: 0 });
    expect(histogram([null, NaN, undefined])).toEqual({ edges: [], counts: [], missing: 3 });
    // A span of subnormal doubles once sent Vega's bin search into an endless loop (step underflow).
    expect(histogram([0, 5e-324, 1e-323])).toEqual({ edges: [-0.5, 0.5], counts: [3], missing: 0 });
    expect(histogram([1e6, 1e6 + 1e-7])).toMatchObject({ counts: [2] });
  });

  it("puts values beyond fixed edges into the end bins and closes the last bin", () => {
    expect(countInBins([-5, 0, 1, 2, 3, 9], [0, 1, 2, 3]).counts).toEqual([2, 1, 3]);
  });
});
