// The native histogram pass (native/histograms.cc) and the steps around it (native/boosting-steps.cc) against the JavaScript loops, bit for bit.
import { describe, expect, test } from "vitest";
import { nativeBoosting } from "../../../../runtime/models/native-engine.js";
import { binColumns } from "../../../../runtime/models/trees/binning.js";
import { buildHistograms, buildHistogramsJs, histogramData, histogramEngine, subtractHistograms, type HistogramData, type HistogramRequest } from "../../../../runtime/models/trees/gradient-histograms.js";
import { Rng } from "../../../../runtime/models/trees/prng.js";
import { routeRow } from "../../../../runtime/models/trees/streamed-gradient-tree.js";
import { packedSums, packForest, packRows } from "../../../../runtime/models/scoring/packed-forest.js";
import type { Matrix } from "../../../../runtime/models/types.js";

const native = nativeBoosting();

/** n rows × f features, some missing, some with few distinct values; two classes of gradients and hessians. */
function problem(n: number, f: number, seed: number): { d: HistogramData; rng: Rng } {
  const rng = new Rng(seed);
  const columns = Array.from({ length: f }, (_, j) =>
    Float32Array.from({ length: n }, () => (rng.nextInt(9) === 0 ? NaN : j % 5 === 0 ? rng.nextInt(6) : (rng.nextUint32() / 2 ** 32 - 0.5) * 10 ** (j % 5))),
  );
  const binned = binColumns(columns, n, 255);
  // Gradients of mixed signs and scales, so the order of additions shows in the sums' last bits.
  const g = Float32Array.from({ length: 2 * n }, () => (rng.nextUint32() / 2 ** 32 - 0.5) * 10 ** rng.nextInt(6));
  const h = Float32Array.from({ length: 2 * n }, () => (rng.nextUint32() / 2 ** 32) * 10 ** -rng.nextInt(4));
  return { d: histogramData(binned, g, h, false), rng };
}

/** A node's rows: a random subset of the rows in random order, gradients of class `k` gathered. */
function node(d: HistogramData, rng: Rng, rows: number, k: number): void {
  const all = Int32Array.from({ length: d.n }, (_, i) => i);
  for (let i = d.n - 1; i > 0; i--) {
    const r = rng.nextInt(i + 1);
    [all[i], all[r]] = [all[r], all[i]];
  }
  d.idx.set(all.subarray(0, rows), 3);
  for (let p = 3; p < 3 + rows; p++) {
    d.og[p] = d.g[k * d.n + d.idx[p]];
    d.oh[p] = d.h[k * d.n + d.idx[p]];
  }
}

/** The histograms of features [j0, j1) by both passes (the native one through buildHistograms). */
function both(d: HistogramData, j0: number, j1: number, r: HistogramRequest): [Float64Array, Float64Array] {
  const size = d.histOffset[d.features];
  const js = new Float64Array(size);
  const nat = new Float64Array(size);
  buildHistogramsJs(d, js, j0, j1, r);
  native!.histograms(d.bins as Uint8Array, d.n, d.histOffset, d.idx, d.g, d.h, d.og, d.oh, d.rootCounts, nat, Float64Array.of(j0, j1, r.start, r.end, r.root ? 1 : 0, r.gOffset, r.constantHessian ? 1 : 0));
  return [js, nat];
}

/** Equal bit for bit (Float64Array equality in vitest compares values, where −0 equals 0). */
function expectSameBits(a: Float64Array, b: Float64Array): void {
  expect(Buffer.from(b.buffer).equals(Buffer.from(a.buffer))).toBe(true);
}

describe.skipIf(!native)("the native histogram pass", () => {
  test("is the pass gradient boosting uses when the module is built", () => {
    expect(histogramEngine()).toBe("native");
  });

  test("gives the JavaScript pass's histograms bit for bit: root and nodes, both hessian kinds, any feature range", () => {
    const { d, rng } = problem(3_001, 11, 7);
    // Features 1–4 have all 256 bins (the pass's unchecked path), 0 and 5 a few (the checked one).
    for (const j of [1, 2, 3, 4]) expect(d.histOffset[j + 1] - d.histOffset[j]).toBe(256 * 3);
    expect(d.histOffset[1] - d.histOffset[0]).toBeLessThan(256 * 3);
    let nonzero = 0;
    for (const constantHessian of [false, true]) {
      for (const [j0, j1] of [[0, 11], [1, 6], [5, 5], [8, 11]]) {
        for (const k of [0, 1]) {
          const root = both(d, j0, j1, { start: 0, end: d.n, root: true, gOffset: k * d.n, constantHessian });
          expectSameBits(root[0], root[1]);
          const rows = 10 + rng.nextInt(2_900);
          node(d, rng, rows, k);
          for (const [start, end] of [[3, 3 + rows], [10, 11], [3, 3]]) {
            const [js, nat] = both(d, j0, j1, { start, end, root: false, gOffset: k * d.n, constantHessian });
            expectSameBits(js, nat);
            nonzero += js.filter((v) => v !== 0).length;
          }
        }
      }
    }
    expect(nonzero).toBeGreaterThan(1_000);
  });

  test("subtracts a child's histograms as the JavaScript loop does", () => {
    const rng = new Rng(3);
    const parent = Float64Array.from({ length: 999 }, () => rng.nextUint32() / 7);
    const child = Float64Array.from({ length: 999 }, () => rng.nextUint32() / 11);
    const expected = parent.map((v, q) => v - child[q]);
    subtractHistograms(parent, child);
    expectSameBits(parent, expected);
    expect(() => native!.subtract(parent, child.subarray(1))).toThrow(TypeError);
  });

  test("partitions a node's rows stably and gathers their gradients, as the JavaScript loops do", () => {
    const { d, rng } = problem(4_000, 4, 5);
    node(d, rng, 3_000, 1);
    const goesLeft = Uint8Array.from({ length: 256 }, () => rng.nextInt(2));
    const before = Array.from(d.idx.subarray(3, 3_003));
    const side = (i: number) => goesLeft[d.bins[2 * d.n + i]];
    const expected = [...before.filter((i) => side(i) === 1), ...before.filter((i) => side(i) === 0)];
    const mid = native!.partition(d.bins as Uint8Array, d.n, 2, d.idx, new Int32Array(3_000), 3, 3_003, goesLeft);
    expect(mid).toBe(3 + before.filter((i) => side(i) === 1).length);
    expect(Array.from(d.idx.subarray(3, 3_003))).toEqual(expected);
    native!.gather(d.idx, d.g, d.h, d.og, d.oh, 3, 3_003, d.n, false);
    for (let p = 3; p < 3_003; p++) {
      expect(d.og[p]).toBe(d.g[d.n + d.idx[p]]);
      expect(d.oh[p]).toBe(d.h[d.n + d.idx[p]]);
    }
    const bad = d.idx.slice();
    bad[5] = -1;
    expect(() => native!.partition(d.bins as Uint8Array, d.n, 2, bad, new Int32Array(3_000), 3, 3_003, goesLeft)).toThrow(/row index out of range/);
    expect(() => native!.partition(d.bins as Uint8Array, d.n, 4, d.idx, new Int32Array(3_000), 3, 3_003, goesLeft)).toThrow(/feature out of range/);
    expect(() => native!.partition(d.bins as Uint8Array, d.n, 2, d.idx, new Int32Array(10), 3, 3_003, goesLeft)).toThrow(/out of range/);
    expect(() => native!.gather(bad, d.g, d.h, d.og, d.oh, 3, 3_003, 0, false)).toThrow(/row index out of range/);
    expect(() => native!.gather(d.idx, d.g, d.h, d.og, d.oh, 3, 3_003, 2 * d.n + 1, true)).toThrow(/gOffset/);
  });

  test("finds no cut in an empty histogram, and refuses a layout that does not fit", () => {
    const out = new Float64Array(7);
    const node = Float64Array.of(0, 0, 0, 0, 20, 0, 0, 1e-3);
    native!.findSplit(new Float64Array(12), Int32Array.of(0, 6, 12), Int32Array.of(1, 1), node, out);
    expect(out[1]).toBe(-1);
    expect(() => native!.findSplit(new Float64Array(12), Int32Array.of(0, 6, 12), Int32Array.of(1, 2), node, out)).toThrow(/do not fit/);
    expect(() => native!.findSplit(new Float64Array(12), Int32Array.of(0, 6, 13), Int32Array.of(1, 1), node, out)).toThrow(/do not fit/);
    expect(() => native!.findSplit(new Float64Array(12), Int32Array.of(0, 6, 12), Int32Array.of(1), node, out)).toThrow(TypeError);
  });

  test("checks its arguments: a row index or bin out of range, a short buffer or a bad request throws, nothing is written out of bounds", () => {
    const { d } = problem(200, 5, 1);
    const size = d.histOffset[d.features];
    const call = (over: Partial<Record<"idx" | "bins" | "hist", unknown>>, request: number[]) =>
      native!.histograms((over.bins ?? d.bins) as Uint8Array, d.n, d.histOffset, (over.idx ?? d.idx) as Int32Array, d.g, d.h, d.og, d.oh, d.rootCounts, (over.hist ?? new Float64Array(size)) as Float64Array, Float64Array.from(request));
    const badIdx = d.idx.slice();
    badIdx[4] = d.n;
    expect(() => call({ idx: badIdx }, [0, 5, 0, 10, 0, 0, 0])).toThrow(/row index or bin out of range/);
    const badBins = (d.bins as Uint8Array).slice();
    badBins[7] = 255;
    expect(() => call({ bins: badBins }, [0, 5, 0, 0, 1, 0, 0])).toThrow(/row index or bin out of range/);
    // The same corrupt bin met by a node's pass (row 7 among the node's rows), on either hessian kind.
    const rows = Int32Array.from({ length: d.n }, (_, i) => i);
    for (const constant of [0, 1]) expect(() => call({ bins: badBins, idx: rows }, [0, 5, 0, 10, 0, 0, constant])).toThrow(/row index or bin out of range/);
    expect(() => call({ bins: (d.bins as Uint8Array).subarray(1) }, [0, 5, 0, 10, 0, 0, 0])).toThrow(/fewer bins/);
    expect(() => call({ hist: new Float64Array(size - 1) }, [0, 5, 0, 10, 0, 0, 0])).toThrow(/hist and rootCounts/);
    expect(() => call({ idx: new Float32Array(d.n) }, [0, 5, 0, 10, 0, 0, 0])).toThrow(TypeError);
    expect(() => call({}, [0, 6, 0, 10, 0, 0, 0])).toThrow(/features/);
    expect(() => call({}, [0, 5, 0, d.n + 1, 0, 0, 0])).toThrow(/node rows/);
    expect(() => call({}, [0, 5, 0, 10, 1, d.n + 1, 0])).toThrow(/gradients shorter/);
    expect(() => call({}, [0.5, 5, 0, 10, 0, 0, 0])).toThrow(/features/);
  });
});

describe.skipIf(!native)("the native steps around the histograms (native/boosting-steps.cc)", () => {
  test("rootSums numbers the rows and sums their gradients and hessians in row order", () => {
    const { d } = problem(2_000, 2, 9);
    for (const constant of [false, true]) {
      const out = new Float64Array(2);
      d.idx.fill(-1);
      native!.rootSums(d.idx, d.g, d.h, d.n, d.n, constant, out);
      let g = 0;
      let h = 0;
      for (let i = 0; i < d.n; i++) {
        g += d.g[d.n + i];
        h += d.h[d.n + i];
      }
      expect(Object.is(out[0], g)).toBe(true);
      expect(out[1]).toBe(constant ? d.n : h);
      expect(Array.from(d.idx)).toEqual(Array.from({ length: d.n }, (_, i) => i));
    }
    expect(() => native!.rootSums(d.idx, d.g, d.h, d.n + 1, d.n, false, new Float64Array(2))).toThrow(/out of range/);
  });

  test("addLeaves adds each leaf's value to the raw score of its rows, leaves in order", () => {
    const rng = new Rng(2);
    const n = 1_000;
    const idx = Int32Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const r = rng.nextInt(i + 1);
      [idx[i], idx[r]] = [idx[r], idx[i]];
    }
    const raw = Float64Array.from({ length: n }, () => rng.nextUint32() / 3);
    const bounds = Int32Array.of(0, 300, 300, 301, 301, 301, 400, 1_000);
    const values = Float64Array.of(0.1, -2.5e-7, 3, 1 / 3);
    const expected = raw.slice();
    for (let l = 0; l < values.length; l++) for (let p = bounds[2 * l]; p < bounds[2 * l + 1]; p++) expected[idx[p]] += values[l];
    native!.addLeaves(idx, raw, bounds, values);
    expectSameBits(raw, expected);
    expect(() => native!.addLeaves(idx, raw, Int32Array.of(0, n + 1), Float64Array.of(1))).toThrow(/out of range/);
    expect(() => native!.addLeaves(Int32Array.of(n), raw, Int32Array.of(0, 1), Float64Array.of(1))).toThrow(/row index out of range/);
  });

  test("walkTree adds a tree's leaf values as the packed-forest walk does, missing values included", () => {
    const rng = new Rng(6);
    const rows = 777;
    const x: Matrix = {
      n: rows,
      names: ["a", "b", "c"],
      columns: Array.from({ length: 3 }, (_, j) => Float32Array.from({ length: rows }, () => (j === 1 && rng.nextInt(7) === 0 ? NaN : rng.nextUint32() / 2 ** 32))),
    };
    // A three-split tree: node 0 on a, its children on b (missing left) and c (missing right).
    const tree = {
      feature: Int32Array.of(0, 1, -1, -1, 2, -1, -1),
      threshold: Float64Array.of(0.5, 0.3, 0, 0, 0.7, 0, 0),
      left: Int32Array.of(1, 2, -1, -1, 5, -1, -1),
      right: Int32Array.of(4, 3, 0, 1, 6, 2, 3),
      missingLeft: Uint8Array.of(0, 1, 0, 0, 0, 0, 0),
      values: Float64Array.of(0.25, -1.5, 1e-3, 7),
    };
    const forest = packForest([tree], 1, 3);
    for (const packed of [packRows(x), packRows({ ...x, columns: x.columns.map((c) => c.map((v) => (Number.isNaN(v) ? 0.2 : v))) })]) {
      const expected = Float64Array.from({ length: rows }, (_, i) => i / 7);
      const sums = expected.slice();
      packedSums(forest, packed, expected);
      native!.walkTree(forest.nodes, forest.missingLeft, forest.roots[0], forest.values, 1, packed.block, rows, 4, sums, 0);
      expectSameBits(sums, expected);
    }
    const cyclic = forest.nodes.slice();
    cyclic[2] = 0;
    expect(() => native!.walkTree(cyclic, forest.missingLeft, 0, forest.values, 1, packRows(x).block, rows, 4, new Float64Array(rows), 0)).toThrow(/malformed/);
    expect(() => native!.walkTree(forest.nodes, forest.missingLeft, 0, forest.values, 1, packRows(x).block, rows + 1, 4, new Float64Array(rows + 1), 0)).toThrow(/out of range/);
  });
});

describe.skipIf(!native)("the native steps of a streamed fit (native/boosting-steps.cc)", () => {
  // A tree by bin: the root cuts feature 1 at bin 3 (missing right), its left child feature 0 at bin 1 (missing left).
  const route = {
    feature: Int32Array.of(1, 0, -1, -1, -1),
    bin: Int32Array.of(3, 1, 0, 0, 0),
    missingLeft: Uint8Array.of(0, 1, 0, 0, 0),
    left: Int32Array.of(1, 3, 0, 0, 0),
    right: Int32Array.of(2, 4, 0, 0, 0),
    value: Float64Array.of(0, 0, 0.5, -0.25, 2),
  };
  const valueBins = Int32Array.of(4, 6);
  const m = 500;
  const rng = new Rng(12);
  const codes = Uint8Array.from({ length: 2 * m }, (_, q) => rng.nextInt(q < m ? 5 : 7));

  test("addRoute adds each row's leaf value as routeRow finds it", () => {
    const raw = Float64Array.from({ length: m + 3 }, (_, i) => i / 3);
    const expected = raw.slice();
    for (let r = 0; r < m; r++) expected[3 + r] += route.value[routeRow(route, valueBins, codes, m, r)];
    native!.addRoute(route.feature, route.bin, route.missingLeft, route.left, route.right, route.value, valueBins, codes, m, raw, 3);
    expectSameBits(raw, expected);
    const cyclic = route.left.slice();
    cyclic[1] = 0;
    expect(() => native!.addRoute(route.feature, route.bin, route.missingLeft, cyclic, route.right, route.value, valueBins, codes, m, raw, 3)).toThrow(/malformed/);
    expect(() => native!.addRoute(route.feature, route.bin, route.missingLeft, route.left, route.right, route.value, valueBins, codes, m, raw, 4)).toThrow(/shorter/);
  });

  test("routeRows walks each row to its node, places the target's smaller child's rows in row order, and refuses a cycle", () => {
    // The tree so far: the root (id 0) split into 1 and 2; node 1 is the one target, its smaller (left) child's rows wanted.
    const keys = 8;
    const cutFeature = Int32Array.of(1, -1, -1, -1);
    const cutBin = Int32Array.of(3, 0, 0, 0);
    const cutMissing = new Uint8Array(4);
    const left = Int32Array.of(1, 0, 0, 0);
    const right = Int32Array.of(2, 0, 0, 0);
    const ahead = () => new Int32Array(keys).fill(-1);
    const slotOf = new Int32Array(keys).fill(-1);
    slotOf[1] = 0;
    const targets = Int32Array.of(0, 1, 1, 4, 1, 0);
    const g = Float32Array.from({ length: m }, (_, i) => i / 7);
    const node = new Int32Array(m);
    const rowSlot = new Int32Array(m);
    const counts = new Int32Array(2);
    const idx = new Int32Array(m);
    const og = new Float32Array(m);
    native!.routeRows(codes, m, valueBins, node, cutFeature, cutBin, cutMissing, left, right, ahead(), new Int32Array(keys), new Uint8Array(keys), new Int32Array(keys), new Int32Array(keys), ahead(), slotOf, targets, g, new Float32Array(0), true, rowSlot, counts, idx, og, new Float32Array(0));
    const expected: number[] = [];
    for (let r = 0; r < m; r++) {
      const b1 = codes[m + r];
      const at = b1 !== 6 && b1 <= 3 ? 1 : 2;
      expect(node[r]).toBe(at);
      const b0 = codes[r];
      if (at === 1 && (b0 === 4 ? true : b0 <= 1)) expected.push(r);
    }
    expect(counts[1]).toBe(expected.length);
    expect(Array.from(idx.subarray(0, expected.length))).toEqual(expected);
    expect(Array.from(og.subarray(0, expected.length))).toEqual(expected.map((r) => g[r]));
    const alias = ahead();
    alias[5] = 5;
    node.fill(5);
    expect(() => native!.routeRows(codes, m, valueBins, node, cutFeature, cutBin, cutMissing, left, right, ahead(), new Int32Array(keys), new Uint8Array(keys), new Int32Array(keys), new Int32Array(keys), alias, slotOf, targets, g, new Float32Array(0), true, rowSlot, counts, idx, og, new Float32Array(0))).toThrow(/malformed/);
  });
});

describe("buildHistograms", () => {
  test("builds the same histograms as the JavaScript pass on whichever engine it runs", () => {
    const { d, rng } = problem(500, 6, 2);
    node(d, rng, 400, 1);
    const r: HistogramRequest = { start: 3, end: 403, root: false, gOffset: d.n, constantHessian: false };
    const a = new Float64Array(d.histOffset[d.features]);
    const b = new Float64Array(a.length);
    buildHistograms(d, a, 0, d.features, r);
    buildHistogramsJs(d, b, 0, d.features, r);
    expectSameBits(a, b);
  });
});
