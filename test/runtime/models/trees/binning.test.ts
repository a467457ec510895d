import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { nativeBinning } from "../../../../runtime/models/native-engine.js";
import { binColumns, binInto, binOf, binRanges, computeEdges, computeEdgesJs, EdgeScratch, missingBin } from "../../../../runtime/models/trees/binning.js";
import { Rng } from "../../../../runtime/models/trees/prng.js";

describe("computeEdges", () => {
  test("few distinct values get one bin each, cut halfway between neighbours", () => {
    const edges = computeEdges(Float32Array.of(3, 1, 2, 2, 1, NaN), 255);
    expect(Array.from(edges)).toEqual([1.5, 2.5]);
  });

  test("many distinct values are cut into at most max_bins quantile bins of similar size", () => {
    const column = Float32Array.from({ length: 10_000 }, (_, i) => (i * 7919) % 10_000);
    const edges = computeEdges(column, 16);
    expect(edges.length).toBeLessThanOrEqual(15);
    expect(edges.length).toBeGreaterThan(10);
    const counts = new Array(edges.length + 1).fill(0);
    for (const v of column) counts[binOf(v, edges)]++;
    for (const c of counts) expect(c).toBeGreaterThan(10_000 / 16 / 2);
  });

  test("edges from one scratch reused across columns of other lengths equal fresh ones", () => {
    const scratch = new EdgeScratch();
    for (const [n, bins] of [[10_000, 16], [3_000, 255], [7, 255], [12_000, 64]]) {
      const column = Float32Array.from({ length: n }, (_, i) => (i % 97 === 0 ? NaN : ((i * 7919) % 4999) / 7));
      expect(computeEdges(column, bins, scratch)).toEqual(computeEdges(column, bins));
    }
  });

  test("a constant or all-missing column has a single bin", () => {
    expect(computeEdges(Float32Array.of(4, 4, 4), 255).length).toBe(0);
    expect(computeEdges(Float32Array.of(NaN, NaN), 255).length).toBe(0);
  });
});

describe("binOf", () => {
  test("NaN goes to the missing bin, right after the last value bin", () => {
    expect(binOf(NaN, Float32Array.of(1, 2))).toBe(3);
    expect(missingBin(Float32Array.of(1, 2))).toBe(3);
  });

  test("bin <= t exactly when x <= edges[t], so thresholds can replace re-binning", () => {
    fc.assert(
      fc.property(
        fc.array(fc.float({ noNaN: true, noDefaultInfinity: false }), { minLength: 1, maxLength: 200 }),
        fc.integer({ min: 2, max: 400 }),
        (values, maxBins) => {
          const column = Float32Array.from(values);
          const edges = computeEdges(column, maxBins);
          expect(edges.length).toBeLessThan(maxBins);
          for (let e = 1; e < edges.length; e++) expect(edges[e]).toBeGreaterThan(edges[e - 1]);
          for (const x of column) {
            const b = binOf(x, edges);
            for (let t = 0; t < edges.length; t++) expect(b <= t).toBe(x <= edges[t]);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("binColumns", () => {
  test("lays features out column after column, one byte per cell", () => {
    const binned = binColumns([Float32Array.of(1, 2, 3), Float32Array.of(5, NaN, 5)], 3, 255, true);
    expect(binned.bins).toBeInstanceOf(Uint8Array);
    expect(binned.bins.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(Array.from(binned.bins)).toEqual([0, 1, 2, 0, 1, 0]);
  });

  test("more than 255 distinct values get one bin each in 16-bit cells when max_bins allows", () => {
    const n = 1000;
    const column = Float32Array.from({ length: n }, (_, i) => ((i * 7919) % n) / 10);
    column[3] = NaN;
    const binned = binColumns([column], n, 4096);
    expect(binned.bins).toBeInstanceOf(Uint16Array);
    expect(binned.edges[0].length).toBe(n - 2);
    expect(binned.bins[3]).toBe(n - 1);
    // Coarser budgets stay one byte per cell.
    expect(binColumns([column], n, 255).bins).toBeInstanceOf(Uint8Array);
  });

  test("each bin knows the smallest and largest training value in it", () => {
    const column = Float32Array.from({ length: 400 }, (_, i) => (i % 2 === 0 ? i : NaN));
    const binned = binColumns([column], 400, 10);
    const { edges, low, high } = binned;
    for (let b = 0; b <= edges[0].length; b++) {
      const inBin = Array.from(column).filter((v, i) => v === v && binned.bins[i] === b);
      expect(low[0][b]).toBe(Math.min(...inBin));
      expect(high[0][b]).toBe(Math.max(...inBin));
    }
  });

  test("the grid-accelerated column binning agrees with binOf value by value", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.float({ noNaN: true }), fc.constant(NaN), fc.integer({ min: -3, max: 3 })), { minLength: 1, maxLength: 300 }),
        fc.constantFrom(2, 7, 64, 1000),
        fc.boolean(),
        (values, maxBins, long) => {
          // Long columns take the grid path, short ones the plain search.
          const n = long ? 20_000 : values.length;
          const column = Float32Array.from({ length: n }, (_, i) => values[i % values.length] + (long ? (i % 7) / 8 : 0));
          const binned = binColumns([column], n, maxBins);
          const edges = binned.edges[0];
          for (let i = 0; i < n; i++) if (binned.bins[i] !== binOf(column[i], edges)) expect(binned.bins[i]).toBe(binOf(column[i], edges));
        },
      ),
      { numRuns: 60 },
    );
  });

  test("rejects a column of the wrong length", () => {
    expect(() => binColumns([Float32Array.of(1, 2)], 3, 255)).toThrow(/2 rows, expected 3/);
  });
});

describe.skipIf(!nativeBinning())("the native binning (native/boosting-steps.cc)", () => {
  test("gives the JavaScript edges, bins and bin ranges exactly: quantiles and exact bins, missing values, ±0, infinities, short columns", () => {
    const native = nativeBinning()!;
    const rng = new Rng(8);
    const uniform = () => rng.nextUint32() / 2 ** 32 - 0.5;
    const columns: Float32Array[] = [
      Float32Array.from({ length: 50_000 }, () => (rng.nextInt(10) === 0 ? NaN : uniform() * 10 ** rng.nextInt(8))),
      Float32Array.from({ length: 30_000 }, () => rng.nextInt(200) - 100),
      Float32Array.from({ length: 9_000 }, () => [0, -0, Infinity, -Infinity, NaN, 1e-45, -1e-45, 3.4e38][rng.nextInt(8)]),
      Float32Array.from({ length: 1_500 }, () => Math.fround(uniform())),
      Float32Array.from({ length: 70_000 }, () => rng.nextInt(3_000) / 7),
      new Float32Array(5).fill(NaN),
      new Float32Array(0),
    ];
    let compared = 0;
    for (const column of columns) {
      for (const maxBins of [2, 16, 255, 4_000]) {
        const expected = computeEdgesJs(column, maxBins);
        const out = new Float32Array(maxBins);
        const edges = out.slice(0, native.edges(column, maxBins, out));
        expect(Buffer.from(edges.buffer).equals(Buffer.from(expected.buffer))).toBe(true);
        expect(Buffer.from(computeEdges(column, maxBins).buffer).equals(Buffer.from(expected.buffer))).toBe(true);
        const cells = edges.length + 2 <= 256 ? new Uint8Array(column.length) : new Uint16Array(column.length);
        const jsCells = cells.slice();
        binInto(column, edges, jsCells);
        const ranges = binRanges(column, jsCells, edges.length + 1);
        const low = new Float32Array(edges.length + 1);
        const high = new Float32Array(edges.length + 1);
        native.binColumn(column, edges, cells, low, high);
        expect(Array.from(cells)).toEqual(Array.from(jsCells));
        expect(Buffer.from(low.buffer).equals(Buffer.from(ranges.low.buffer))).toBe(true);
        expect(Buffer.from(high.buffer).equals(Buffer.from(ranges.high.buffer))).toBe(true);
        compared += column.length;
      }
    }
    expect(compared).toBeGreaterThan(500_000);
    expect(() => native.edges(columns[0], 255, new Float32Array(10))).toThrow(/out shorter/);
    expect(() => native.binColumn(columns[0], new Float32Array(300), new Uint8Array(50_000), new Float32Array(301), new Float32Array(301))).toThrow(/too short/);
  });
});
