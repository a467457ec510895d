import { describe, expect, it } from "vitest";
import { psi, psiCategorical, psiCounts, psiEdges, smoothedProportions } from "../../../runtime/monitor/psi.js";
import { type Shape, SeededRandom, categories, runPython, sample, scipyAvailable } from "./oracle.js";

const HAVE_SCIPY = scipyAvailable();

/** The documented formula, written directly in NumPy (and Evidently's smoothing). */
const NUMPY_PSI = `
def smooth(p):
    nz = p[p != 0]
    fill = nz.min() / 10**6 if nz.min() <= 0.0001 else 0.0001
    return np.where(p == 0, fill, p)

def psi(rc, cc):
    keep = (rc != 0) | (cc != 0)
    rc, cc = rc[keep], cc[keep]
    r = smooth(rc / rc.sum())
    c = smooth(cc / cc.sum())
    return float(np.sum((r - c) * np.log(r / c)))

out = []
for case in data:
    if case["kind"] == "numeric":
        ref = np.asarray(case["ref"], dtype=float)
        cur = np.asarray(case["cur"], dtype=float)
        edges = np.unique(np.quantile(ref, [k / 10 for k in range(1, 10)]))
        rc = np.bincount(np.searchsorted(edges, ref, side="left"), minlength=len(edges) + 1).astype(float)
        cc = np.bincount(np.searchsorted(edges, cur, side="left"), minlength=len(edges) + 1).astype(float)
        out.append([psi(rc, cc), edges.tolist()])
    else:
        keys = sorted(set(case["ref"]) | set(case["cur"]))
        rc = np.array([case["ref"].count(k) for k in keys], dtype=float)
        cc = np.array([case["cur"].count(k) for k in keys], dtype=float)
        out.append([psi(rc, cc), []])
print(json.dumps(out))
`;

type Case = { name: string; kind: "numeric"; ref: number[]; cur: number[] } | { name: string; kind: "categorical"; ref: string[]; cur: string[] };

function cases(): Case[] {
  const rng = new SeededRandom(8);
  const out: Case[] = [];
  const shapes: Shape[] = ["normal", "shifted", "far", "ties", "binary", "wide", "exponential"];
  for (const [n1, n2] of [[10, 10], [57, 31], [1000, 1000], [5000, 800]]) {
    for (const s of shapes) out.push({ name: `${s} ${n1}/${n2}`, kind: "numeric", ref: sample(rng, n1, s), cur: sample(rng, n2, s, 1) });
  }
  const same = sample(rng, 500, "normal");
  out.push({ name: "identical samples", kind: "numeric", ref: same, cur: same.slice() });
  out.push({ name: "disjoint samples (every current value in the top bin)", kind: "numeric", ref: sample(rng, 300, "normal"), cur: sample(rng, 200, "normal").map((v) => v + 50) });
  out.push({ name: "constant reference", kind: "numeric", ref: [2, 2, 2, 2], cur: [1, 2, 3] });
  out.push({ name: "heavy ties at one value with interpolated deciles", kind: "numeric", ref: [0, 0, 0, 10, 10, 10], cur: [0, 5, 10, 10] });
  // A bin with a single reference value out of 20,000 makes the ≤ 1e-4 smoothing branch apply.
  out.push({ name: "rare bin (smoothing by min/1e6)", kind: "categorical", ref: [...Array(19999).fill("a"), "b"], cur: ["a", "a", "c"] });
  out.push({ name: "categories tilted", kind: "categorical", ref: categories(rng, 800, ["a", "b", "c", "d"]), cur: categories(rng, 600, ["a", "b", "c", "d"], 1) });
  out.push({ name: "unseen categories in the current window", kind: "categorical", ref: categories(rng, 300, ["a", "b"]), cur: [...categories(rng, 100, ["a", "b"]), "new", "new"] });
  out.push({ name: "one category", kind: "categorical", ref: ["a", "a"], cur: ["a"] });
  return out;
}

describe.skipIf(!HAVE_SCIPY)("psi agrees with a NumPy computation of the documented formula", () => {
  const all = cases();
  const expected = runPython([{ script: NUMPY_PSI, data: all.map((c) => ({ kind: c.kind, ref: c.ref, cur: c.cur })) }])[0] as [number, number[]][];

  it.each(all.map((c, i) => [c.name, i] as const))("%s", (_name, i) => {
    const c = all[i];
    const value = c.kind === "numeric" ? psi(c.ref, c.cur) : psiCategorical(c.ref, c.cur);
    expect(Math.abs(value - expected[i][0])).toBeLessThanOrEqual(1e-9 * Math.max(1, expected[i][0]));
    if (c.kind === "numeric") expect(psiEdges(Float64Array.from(c.ref).sort())).toEqual(expected[i][1]);
  });
});

describe("psi properties", () => {
  it("is zero for identical samples and positive otherwise", () => {
    const rng = new SeededRandom(2);
    const a = sample(rng, 400, "normal");
    expect(psi(a, a)).toBe(0);
    expect(psi(a, sample(rng, 400, "far", 1))).toBeGreaterThan(0.25);
  });

  it("smooths zeros with 1e-4, or the smallest proportion / 1e6 when that is ≤ 1e-4", () => {
    expect(smoothedProportions([0, 5, 5], 10)).toEqual([0.0001, 0.5, 0.5]);
    expect(smoothedProportions([0, 1, 19999], 20000)).toEqual([0.00005 / 1e6, 0.00005, 19999 / 20000]);
  });

  it("leaves out a bin empty on both sides", () => {
    expect(psiCounts([3, 0, 7], [5, 0, 5])).toBe(psiCounts([3, 7], [5, 5]));
  });

  it("an empty current window is a coded error", () => {
    expect(() => psi([1, 2, 3], [NaN])).toThrow(expect.objectContaining({ code: "empty-window" }));
  });
});
