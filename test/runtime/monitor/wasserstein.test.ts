import { describe, expect, it } from "vitest";
import { wasserstein, wassersteinNormalised } from "../../../runtime/monitor/wasserstein.js";
import { type Shape, SeededRandom, runPython, sample, scipyAvailable } from "./oracle.js";

const HAVE_SCIPY = scipyAvailable();

function cases(): { name: string; ref: number[]; cur: number[] }[] {
  const rng = new SeededRandom(5);
  const out: { name: string; ref: number[]; cur: number[] }[] = [];
  const shapes: Shape[] = ["normal", "shifted", "far", "ties", "binary", "wide", "exponential"];
  for (const [n1, n2] of [[1, 1], [1, 9], [7, 7], [64, 100], [1000, 1000], [5000, 20000]]) {
    for (const s of shapes) out.push({ name: `${s} ${n1}/${n2}`, ref: sample(rng, n1, s), cur: sample(rng, n2, s, 1) });
  }
  const same = sample(rng, 300, "normal");
  out.push({ name: "identical samples", ref: same, cur: same.slice().reverse() });
  out.push({ name: "disjoint samples", ref: sample(rng, 50, "normal"), cur: sample(rng, 80, "normal").map((v) => v + 1e3) });
  out.push({ name: "constant reference (std floored at 0.001)", ref: [4, 4, 4], cur: [4, 4.5] });
  out.push({ name: "tiny spread", ref: sample(rng, 100, "normal").map((v) => 1 + v * 1e-7), cur: sample(rng, 100, "normal").map((v) => 1 + v * 1e-7) });
  return out;
}

describe.skipIf(!HAVE_SCIPY)("wasserstein agrees with scipy.stats.wasserstein_distance", () => {
  const all = cases();
  const expected = runPython([
    {
      script: `
from scipy.stats import wasserstein_distance
out = []
for c in data:
    d = wasserstein_distance(c["ref"], c["cur"])
    out.append([float(d), float(d / max(np.std(c["ref"]), 0.001)), float(np.std(c["ref"]))])
print(json.dumps(out))`,
      data: all.map((c) => ({ ref: c.ref, cur: c.cur })),
    },
  ])[0] as [number, number, number][];

  it.each(all.map((c, i) => [c.name, i] as const))("%s", (_name, i) => {
    const c = all[i];
    const [distance, normalised, std] = expected[i];
    expect(Math.abs(wasserstein(c.ref, c.cur) - distance)).toBeLessThanOrEqual(1e-9 * Math.max(1, distance));
    const r = wassersteinNormalised(c.ref, c.cur);
    expect(Math.abs(r.std - std)).toBeLessThanOrEqual(1e-12 * Math.max(1, std));
    expect(Math.abs(r.statistic - normalised)).toBeLessThanOrEqual(1e-9 * Math.max(1, normalised));
  });
});

describe("wasserstein edge cases", () => {
  it("is symmetric and zero for equal samples", () => {
    expect(wasserstein([1, 2, 3], [3, 2, 1])).toBe(0);
    expect(wasserstein([0, 1], [5, 9, 2])).toBe(wasserstein([5, 9, 2], [0, 1]));
  });

  it("an empty current window is a coded error", () => {
    expect(() => wasserstein([1], [null])).toThrow(expect.objectContaining({ code: "empty-window" }));
  });
});
