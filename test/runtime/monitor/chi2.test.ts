import { describe, expect, it } from "vitest";
import { chi2, chi2Counts } from "../../../runtime/monitor/chi2.js";
import { SeededRandom, categories, runPython, scipyAvailable } from "./oracle.js";

const HAVE_SCIPY = scipyAvailable();

interface Case {
  name: string;
  ref: string[];
  cur: string[];
}

function cases(): Case[] {
  const rng = new SeededRandom(21);
  const out: Case[] = [];
  const labels = (k: number) => Array.from({ length: k }, (_, i) => `c${i}`);
  for (const k of [2, 3, 5, 12, 60]) {
    for (const [n1, n2] of [[10, 8], [40, 25], [300, 700], [5000, 2000]]) {
      out.push({ name: `${k} categories ${n1}/${n2} same`, ref: categories(rng, n1, labels(k)), cur: categories(rng, n2, labels(k)) });
      out.push({ name: `${k} categories ${n1}/${n2} tilted`, ref: categories(rng, n1, labels(k)), cur: categories(rng, n2, labels(k), 0.5) });
    }
  }
  out.push({ name: "one category on both sides (dof 0)", ref: ["a", "a", "a"], cur: ["a", "a"] });
  out.push({ name: "unseen category in the current window", ref: categories(rng, 200, ["a", "b", "c"]), cur: [...categories(rng, 150, ["a", "b", "c"]), "z", "z", "y"] });
  out.push({ name: "disjoint categories", ref: ["a", "a", "b"], cur: ["c", "d", "d", "d"] });
  out.push({ name: "a category only in the reference (2×2, Yates)", ref: ["a", "b", "b"], cur: ["a", "a", "a", "a"] });
  // Differences below ½ (SciPy caps Yates' correction at |E − O|, gh-13875).
  out.push({ name: "2×2 with tiny differences", ref: ["a", "b", "a", "b"], cur: ["a", "b", "a", "b", "a"] });
  out.push({ name: "identical samples", ref: ["x", "y", "y", "z"], cur: ["x", "y", "y", "z"] });
  return out;
}

const table = (ref: string[], cur: string[]) => {
  const keys = [...new Set([...ref, ...cur])].sort();
  return [keys.map((k) => ref.filter((v) => v === k).length), keys.map((k) => cur.filter((v) => v === k).length)];
};

describe.skipIf(!HAVE_SCIPY)("chi2 agrees with scipy.stats.chi2_contingency", () => {
  const all = cases();
  const expected = runPython([
    {
      script: `
from scipy.stats import chi2_contingency
out = []
for t in data:
    r = chi2_contingency(t)
    out.append([float(r[0]), float(r[1]), int(r[2])])
print(json.dumps(out))`,
      data: all.map((c) => table(c.ref, c.cur)),
    },
  ])[0] as [number, number, number][];

  it.each(all.map((c, i) => [c.name, i] as const))("%s", (_name, i) => {
    const r = chi2(all[i].ref, all[i].cur);
    const [statistic, pValue, dof] = expected[i];
    expect(r.dof).toBe(dof);
    expect(Math.abs(r.statistic - statistic)).toBeLessThanOrEqual(1e-9 * Math.max(1, statistic));
    expect(Math.abs(r.pValue - pValue)).toBeLessThanOrEqual(1e-9);
  });
});

describe("chi2 edge cases", () => {
  it("a category absent on both sides adds no column (SciPy would refuse its zero expected count)", () => {
    expect(chi2Counts([5, 0, 3], [2, 0, 7])).toEqual(chi2Counts([5, 3], [2, 7]));
  });

  it("missing values are dropped; values compare by their string form", () => {
    expect(chi2(["a", null, "b", undefined], ["a", "a", "b"])).toEqual(chi2(["a", "b"], ["a", "a", "b"]));
    expect(chi2([true, false, true], ["true", "false", "false"])).toEqual(chi2(["true", "false", "true"], ["true", "false", "false"]));
  });

  it("an empty current window is a coded error", () => {
    expect(() => chi2(["a"], [])).toThrow(expect.objectContaining({ code: "empty-window" }));
    expect(() => chi2Counts([1, 2], [0, 0])).toThrow(expect.objectContaining({ code: "empty-window" }));
  });
});
