import { describe, expect, it } from "vitest";
import { ks, KS_MAX_EXACT_N } from "../../../runtime/monitor/ks.js";
import { DataError } from "../../../runtime/errors.js";
import { type Shape, SeededRandom, runPython, sample, scipyAvailable } from "./oracle.js";

const HAVE_SCIPY = scipyAvailable();

interface Case {
  name: string;
  ref: number[];
  cur: number[];
}

function cases(): Case[] {
  const rng = new SeededRandom(14);
  const out: Case[] = [];
  const small: [number, number][] = [
    [1, 1], [1, 7], [2, 3], [5, 5], [8, 13], [10, 10], [25, 40], [50, 50], [100, 37], [100, 100], [250, 400], [500, 1000], [999, 1001], [1000, 1000],
  ];
  const shapes: Shape[] = ["normal", "shifted", "far", "ties", "binary", "wide"];
  for (const [n1, n2] of small) for (const s of shapes) out.push({ name: `${s} ${n1}/${n2}`, ref: sample(rng, n1, s), cur: sample(rng, n2, s, 1) });
  // Large samples: the exact distribution up to 10,000 values, the asymptotic one above (with the
  // one-sample kstwo at n = round(mn/(m+n)), small n included), and equal sizes (Hodges' closed form).
  const large: [number, number, Shape][] = [
    [2000, 3001, "shifted"], [4096, 4096, "normal"], [4096, 4096, "ties"], [5000, 7919, "shifted"], [10000, 10000, "shifted"], [9000, 10000, "binary"],
    [10001, 20, "normal"], [12000, 300, "shifted"], [3, 20000, "normal"], [141, 15000, "wide"], [15000, 20000, "shifted"], [20000, 20000, "normal"], [12000, 12000, "ties"],
  ];
  for (const [n1, n2, s] of large) out.push({ name: `${s} ${n1}/${n2}`, ref: sample(rng, n1, s), cur: sample(rng, n2, s, 1) });
  const same = sample(rng, 300, "normal");
  out.push({ name: "identical samples", ref: same, cur: same.slice() });
  out.push({ name: "identical large samples", ref: sample(rng, 12000, "ties"), cur: [] });
  out[out.length - 1].cur = out[out.length - 1].ref.slice().reverse();
  out.push({ name: "disjoint samples", ref: sample(rng, 40, "normal"), cur: sample(rng, 60, "normal").map((v) => v + 100) });
  out.push({ name: "disjoint large samples", ref: sample(rng, 11000, "normal"), cur: sample(rng, 900, "normal").map((v) => v - 100) });
  out.push({ name: "one value each, equal", ref: [3], cur: [3] });
  out.push({ name: "constant vs constant", ref: [5, 5, 5], cur: [5, 5] });
  return out;
}

describe.skipIf(!HAVE_SCIPY)("ks agrees with scipy.stats.ks_2samp", () => {
  const all = cases();
  const expected = runPython([
    {
      script: `
from scipy.stats import ks_2samp
print(json.dumps([[float(r.statistic), float(r.pvalue)] for r in (ks_2samp(c["ref"], c["cur"]) for c in data)]))`,
      data: all.map((c) => ({ ref: c.ref, cur: c.cur })),
    },
  ])[0] as [number, number][];

  it.each(all.map((c, i) => [c.name, i] as const))("%s", (_name, i) => {
    const c = all[i];
    const r = ks(c.ref, c.cur);
    const [statistic, pValue] = expected[i];
    expect(Math.abs(r.statistic - statistic)).toBeLessThanOrEqual(1e-12);
    expect(Math.abs(r.pValue - pValue)).toBeLessThanOrEqual(1e-9);
    expect(r.method).toBe(Math.max(c.ref.length, c.cur.length) <= KS_MAX_EXACT_N ? "exact" : "asymp");
  });
});

describe("ks edge cases", () => {
  it("drops missing values (null, NaN) before testing", () => {
    const a = ks([1, 2, null, 3, 4], Float64Array.from([2.5, NaN, 3.5, 9]));
    const b = ks([1, 2, 3, 4], [2.5, 3.5, 9]);
    expect(a).toEqual(b);
  });

  it("an empty current window is a coded error, not a p-value", () => {
    expect(() => ks([1, 2, 3], [])).toThrow(DataError);
    expect(() => ks([1, 2, 3], [NaN, null])).toThrow(expect.objectContaining({ code: "empty-window" }));
    expect(() => ks([], [1])).toThrow(expect.objectContaining({ code: "empty-reference" }));
  });

  it("is symmetric in its samples", () => {
    const rng = new SeededRandom(3);
    const a = sample(rng, 70, "ties");
    const b = sample(rng, 45, "ties", 1);
    expect(ks(a, b).pValue).toBe(ks(b, a).pValue);
  });
});
