import { describe, expect, it } from "vitest";
import { histogramEdges, jensenShannon, jensenShannonCategorical, jensenShannonNumeric } from "../../../runtime/monitor/jensen-shannon.js";
import { type Shape, SeededRandom, categories, runPython, sample, scipyAvailable } from "./oracle.js";

const HAVE_SCIPY = scipyAvailable();

/** The distributions as the module comment defines them, built in NumPy, then SciPy's distance. */
const SCRIPT = `
from scipy.spatial.distance import jensenshannon
def numeric_counts(ref, x):
    lo, hi = min(ref), max(ref)
    if lo == hi:
        lo, hi = lo - 0.5, hi + 0.5
    edges = np.linspace(lo, hi, 21)
    x = np.asarray(x, dtype=float)
    inner = np.histogram(x[(x >= edges[0]) & (x <= edges[-1])], bins=edges)[0]
    return np.concatenate([[np.sum(x < edges[0])], inner, [np.sum(x > edges[-1])]]).astype(float)
out = []
for c in data:
    if c["kind"] == "vectors":
        p, q = np.asarray(c["ref"], dtype=float), np.asarray(c["cur"], dtype=float)
    elif c["kind"] == "numeric":
        p, q = numeric_counts(c["ref"], c["ref"]), numeric_counts(c["ref"], c["cur"])
    else:
        keys = sorted(set(c["ref"]) | set(c["cur"]))
        p = np.array([c["ref"].count(k) for k in keys], dtype=float)
        q = np.array([c["cur"].count(k) for k in keys], dtype=float)
    out.append([float(jensenshannon(p, q)), float(jensenshannon(p, q, base=2))])
print(json.dumps(out))
`;

type Case =
  | { name: string; kind: "vectors" | "numeric"; ref: number[]; cur: number[] }
  | { name: string; kind: "categorical"; ref: string[]; cur: string[] };

function cases(): Case[] {
  const rng = new SeededRandom(11);
  const out: Case[] = [];
  out.push({ name: "frequency vectors", kind: "vectors", ref: [0.1, 0.4, 0.5], cur: [0.3, 0.3, 0.4] });
  out.push({ name: "unnormalised counts with zeros", kind: "vectors", ref: [10, 0, 5, 1], cur: [0, 3, 5, 0] });
  out.push({ name: "disjoint supports", kind: "vectors", ref: [1, 0], cur: [0, 1] });
  out.push({ name: "identical", kind: "vectors", ref: [2, 3, 5], cur: [4, 6, 10] });
  const shapes: Shape[] = ["normal", "shifted", "far", "ties", "binary", "wide", "exponential"];
  for (const [n1, n2] of [[5, 5], [200, 150], [3000, 1000]]) {
    for (const s of shapes) out.push({ name: `${s} ${n1}/${n2}`, kind: "numeric", ref: sample(rng, n1, s), cur: sample(rng, n2, s, 1) });
  }
  out.push({ name: "current values outside the reference range", kind: "numeric", ref: sample(rng, 100, "normal"), cur: [-50, 50, 0, 0.1] });
  out.push({ name: "constant reference", kind: "numeric", ref: [3, 3, 3], cur: [3, 3.2, 2.9, 4] });
  out.push({ name: "categories tilted", kind: "categorical", ref: categories(rng, 500, ["a", "b", "c", "d", "e"]), cur: categories(rng, 400, ["a", "b", "c", "d", "e"], 2) });
  out.push({ name: "unseen categories in the current window", kind: "categorical", ref: ["a", "b", "b"], cur: ["a", "z", "z"] });
  out.push({ name: "one category", kind: "categorical", ref: ["a"], cur: ["a", "a"] });
  return out;
}

describe.skipIf(!HAVE_SCIPY)("jensenShannon agrees with scipy.spatial.distance.jensenshannon", () => {
  const all = cases();
  const expected = runPython([{ script: SCRIPT, data: all.map((c) => ({ kind: c.kind, ref: c.ref, cur: c.cur })) }])[0] as [number, number][];

  it.each(all.map((c, i) => [c.name, i] as const))("%s", (_name, i) => {
    const c = all[i];
    const [natural, base2] = expected[i];
    const at = (base: number | null) =>
      c.kind === "vectors" ? jensenShannon(c.ref, c.cur, base) : c.kind === "numeric" ? jensenShannonNumeric(c.ref, c.cur, base) : jensenShannonCategorical(c.ref, c.cur, base);
    expect(Math.abs(at(null) - natural)).toBeLessThanOrEqual(1e-9);
    expect(Math.abs(at(2) - base2)).toBeLessThanOrEqual(1e-9);
  });
});

describe("jensenShannon conventions", () => {
  it("defaults to base 2, bounded by 1 for disjoint supports", () => {
    expect(jensenShannon([1, 0], [0, 1])).toBeCloseTo(1, 15);
    expect(jensenShannonCategorical(["a"], ["b"])).toBeCloseTo(1, 15);
  });

  it("bins like NumPy: 21 edges over [min, max], widened by ½ for a constant reference", () => {
    expect(histogramEdges(0, 2)).toHaveLength(21);
    expect(histogramEdges(0, 2)[20]).toBe(2);
    expect(histogramEdges(3, 3)[0]).toBe(2.5);
  });

  it("an empty current window is a coded error", () => {
    expect(() => jensenShannonCategorical(["a"], [null])).toThrow(expect.objectContaining({ code: "empty-window" }));
    expect(() => jensenShannonNumeric([1, 2], [])).toThrow(expect.objectContaining({ code: "empty-window" }));
  });
});
