import { describe, expect, it } from "vitest";
import { chi2Counts } from "../../../runtime/monitor/chi2.js";
import { featureDrift } from "../../../runtime/monitor/drift.js";
import {
  type CategoricalFeatureProfile,
  type NumericFeatureProfile,
  OTHER_CATEGORY,
  buildProfile,
  profileCategoryTable,
  driftAgainstProfile,
  reservoirRows,
} from "../../../runtime/monitor/profile.js";
import { CategoryCounts } from "../../../runtime/monitor/values.js";
import { SeededRandom, categories, runPython, sample, scipyAvailable } from "./oracle.js";

const HAVE_SCIPY = scipyAvailable();

/** A reference of `n` rows and a current window that moved: two numeric and two categorical features, with missing values. */
function data(n: number, m: number, seed: number) {
  const rng = new SeededRandom(seed);
  const withMissing = <T>(values: T[], share: number): (T | null)[] => values.map((v) => (rng.next() < share ? null : v));
  const labels = ["a", "b", "c", "d", "e", "f", "g", "h"];
  const reference = {
    delay: Float64Array.from(withMissing(sample(rng, n, "exponential"), 0.05), (v) => (v === null ? NaN : v)),
    distance: withMissing(sample(rng, n, "ties"), 0.01),
    carrier: withMissing(categories(rng, n, labels), 0.02),
    weekend: sample(rng, n, "binary").map((v) => v === 1),
  };
  const current = {
    delay: Float64Array.from(sample(rng, m, "exponential", 1)),
    distance: sample(rng, m, "ties", 1),
    carrier: [...categories(rng, m - 2, labels, 0.4), "zz", null],
    weekend: sample(rng, m, "binary", 1).map((v) => v === 1),
    ignored: new Array(m).fill("extra columns are ignored"),
  };
  return { reference, current };
}

describe("reservoir sampling", () => {
  it("is deterministic for a seed, differs across seeds, and keeps small references whole", () => {
    expect(reservoirRows(100000, 50, 7)).toEqual(reservoirRows(100000, 50, 7));
    expect(reservoirRows(100000, 50, 7)).not.toEqual(reservoirRows(100000, 50, 8));
    expect(reservoirRows(30, 50, 7)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    const rows = reservoirRows(100000, 5000, 1);
    expect(new Set(rows).size).toBe(5000);
    expect(rows).toEqual([...rows].sort((a, b) => a - b));
    // Spread over the whole reference, not its head.
    expect(rows.filter((r) => r >= 50000).length).toBeGreaterThan(2300);
  });
});

describe.skipIf(!HAVE_SCIPY)("a reference profile agrees with NumPy/SciPy", () => {
  const { reference, current } = data(20000, 3000, 31);
  const profile = buildProfile(reference, { seed: 5, topCategories: 5 });
  const delay = profile.features[0] as NumericFeatureProfile;
  const distance = profile.features[1] as NumericFeatureProfile;
  const carrier = profile.features[2] as CategoricalFeatureProfile;
  const plain = (a: ArrayLike<number | null>) => Array.from(a, (v) => (v === null || Number.isNaN(v) ? null : v));
  const table = profileCategoryTable(carrier, current.carrier);
  const [numeric, drift] = runPython([
    {
      script: `
out = []
for col in data:
    x = np.array([v for v in col if v is not None], dtype=float)
    edges = np.unique(np.quantile(x, [k / 10 for k in range(1, 10)]))
    out.append({
        "missing": sum(v is None for v in col), "mean": float(np.mean(x)), "std": float(np.std(x)),
        "min": float(x.min()), "max": float(x.max()),
        "quantiles": [float(v) for v in np.percentile(x, [1, 5, 25, 50, 75, 95, 99])],
        "deciles": [float(v) for v in np.quantile(x, [k / 10 for k in range(11)])],
        "psiEdges": edges.tolist(),
        "psiCounts": np.bincount(np.searchsorted(edges, x, side="left"), minlength=len(edges) + 1).tolist(),
        "histogram": np.histogram(x, bins=np.linspace(x.min(), x.max(), 21))[0].tolist(),
    })
print(json.dumps(out))`,
      data: [plain(reference.delay), plain(reference.distance)],
    },
    {
      script: `
from scipy.stats import ks_2samp, wasserstein_distance, chi2_contingency
out = {}
for name in ["delay", "distance"]:
    ref = [v for v in data[name]["ref"] if v is not None]
    sample = [data[name]["ref"][r] for r in data["rows"] if data[name]["ref"][r] is not None]
    cur = data[name]["cur"]
    k = ks_2samp(sample, cur)
    out[name] = {"ks": [float(k.statistic), float(k.pvalue)], "wasserstein": float(wasserstein_distance(sample, cur) / max(np.std(ref), 0.001))}
r = chi2_contingency(data["table"])
out["carrier"] = [float(r[0]), float(r[1])]
print(json.dumps(out))`,
      data: {
        rows: profile.sample.rows,
        delay: { ref: plain(reference.delay), cur: Array.from(current.delay) },
        distance: { ref: plain(reference.distance), cur: current.distance },
        table: [table.reference, table.current],
      },
    },
  ]) as [Record<string, number | number[]>[], Record<string, { ks: number[]; wasserstein: number } | number[]>];

  it("records the exact statistics of the full reference", () => {
    [delay, distance].forEach((f, i) => {
      const e = numeric[i];
      expect(f.count).toBe(20000);
      expect(f.missing).toBe(e.missing);
      expect(f.missingShare).toBe((e.missing as number) / 20000);
      expect(f.mean).toBe(e.mean);
      expect(Math.abs((f.std as number) - (e.std as number))).toBeLessThanOrEqual(1e-12);
      expect([f.min, f.max]).toEqual([e.min, e.max]);
      expect(Object.values(f.quantiles ?? {})).toEqual(e.quantiles);
      expect(f.deciles).toEqual(e.deciles);
      expect(f.psi).toEqual({ edges: e.psiEdges, counts: e.psiCounts });
      expect(f.histogram?.counts).toEqual(e.histogram);
    });
  });

  it("keeps the top categories by name and the rest in the other bucket", () => {
    const counts = new Map<string, number>();
    for (const v of reference.carrier) if (v !== null) counts.set(v, (counts.get(v) ?? 0) + 1);
    const ranked = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    expect(carrier.categories).toEqual(ranked.slice(0, 5).map(([value, count]) => ({ value, count })));
    expect(carrier.otherCount).toBe(ranked.slice(5).reduce((s, [, c]) => s + c, 0));
    expect(carrier.distinct).toBe(8);
    expect(carrier.missing).toBe(reference.carrier.filter((v) => v === null).length);
    // The unseen "zz" and the categories beyond the top 5 count in the current window's other column.
    expect(table.labels.at(-1)).toBe(OTHER_CATEGORY);
    expect(table.current.reduce((a, b) => a + b, 0)).toBe(2999);
  });

  it("ks and wasserstein run on the sample; the wasserstein normaliser is the full reference's std", () => {
    for (const name of ["delay", "distance"] as const) {
      const e = drift[name] as { ks: number[]; wasserstein: number };
      const k = driftAgainstProfile(profile, current, { numeric: "ks" }).features.find((f) => f.feature === name)!;
      expect(Math.abs(k.statistic - e.ks[0])).toBeLessThanOrEqual(1e-12);
      expect(Math.abs((k.pValue as number) - e.ks[1])).toBeLessThanOrEqual(1e-9);
      const w = driftAgainstProfile(profile, current, { numeric: "wasserstein" }).features.find((f) => f.feature === name)!;
      expect(Math.abs(w.statistic - e.wasserstein)).toBeLessThanOrEqual(1e-9 * Math.max(1, e.wasserstein));
    }
  });

  it("chi2 on the profile's categories plus the other bucket agrees with chi2_contingency", () => {
    const c = driftAgainstProfile(profile, current, { categorical: "chi2" }).features.find((f) => f.feature === "carrier")!;
    const [statistic, pValue] = drift.carrier as number[];
    expect(Math.abs(c.statistic - statistic)).toBeLessThanOrEqual(1e-9 * statistic);
    expect(Math.abs((c.pValue as number) - pValue)).toBeLessThanOrEqual(1e-9);
  });
});

describe("drift against a profile", () => {
  it("equals drift against the raw reference for the statistics a profile holds exactly (psi, chi2, js)", () => {
    const { reference, current } = data(8000, 1500, 3);
    const profile = buildProfile(reference, { seed: 1 });
    for (const method of ["psi", "js"] as const) {
      const viaProfile = driftAgainstProfile(profile, current, method);
      for (const f of viaProfile.features) {
        const raw = featureDrift(f.feature, f.kind, reference[f.feature as keyof typeof reference], current[f.feature as keyof typeof current], { method });
        if (f.kind === "numeric" || f.feature === "weekend") expect(f).toEqual(raw);
      }
    }
    // With every category kept by name, the carrier table is the raw one plus an `__other` column
    // holding the unseen "zz" — the same columns once sorted.
    const viaProfile = driftAgainstProfile(profile, current, { categorical: "chi2" }).features.find((f) => f.feature === "carrier")!;
    const raw = featureDrift("carrier", "categorical", reference.carrier, current.carrier, { method: "chi2" });
    expect(viaProfile.statistic).toBeCloseTo(raw.statistic, 9);
    expect(viaProfile.pValue).toBeCloseTo(raw.pValue as number, 12);
  });

  it("a categorical window given as counts (as the monitor reads it from DuckDB) gives what its values give, bit for bit", () => {
    const { reference, current } = data(8000, 1500, 4);
    const profile = buildProfile(reference, { seed: 1, topCategories: 5 });
    const counts = (values: unknown[]) => {
      const m = new Map<string, number>();
      for (const v of values) if (v !== null) m.set(String(v), (m.get(String(v)) ?? 0) + 1);
      return new CategoryCounts(m);
    };
    for (const method of ["chi2", "psi", "js"] as const) {
      const viaValues = driftAgainstProfile(profile, current, { categorical: method });
      const viaCounts = driftAgainstProfile(profile, { ...current, carrier: counts(current.carrier), weekend: counts(current.weekend) }, { categorical: method });
      expect(viaCounts).toEqual(viaValues);
    }
    expect(() => driftAgainstProfile(profile, { ...current, delay: counts([1, 2]) })).toThrow(/numeric/);
  });

  it("equals drift against the raw reference for every method when the reference fits in the sample", () => {
    const { reference, current } = data(900, 400, 9);
    const profile = buildProfile(reference);
    expect(profile.sample.rows).toHaveLength(900);
    const auto = driftAgainstProfile(profile, current);
    expect(auto.features.map((f) => f.method)).toEqual(["ks", "ks", "chi2", "chi2"]);
    for (const f of auto.features) {
      if (f.feature === "carrier") continue; // the unseen category is named on one side, `__other` on the other
      const raw = featureDrift(f.feature, f.kind, reference[f.feature as keyof typeof reference], current[f.feature as keyof typeof current], { method: f.method });
      expect(f).toEqual(raw);
    }
    expect(auto.drifted).toBe(auto.share >= 0.5);
  });

  it("is plain JSON: a profile read back gives the same drift", () => {
    const { reference, current } = data(3000, 500, 12);
    const profile = buildProfile(reference, { seed: 9 });
    const text = JSON.stringify(profile);
    expect(text).not.toMatch(/NaN|Infinity/);
    const back = JSON.parse(text);
    expect(back).toEqual(profile);
    expect(driftAgainstProfile(back, current)).toEqual(driftAgainstProfile(profile, current));
    expect(buildProfile(reference, { seed: 9 })).toEqual(profile);
  });

  it("refuses a window without a profiled column, a non-number in a numeric one, and an empty window", () => {
    const { reference, current } = data(200, 50, 2);
    const profile = buildProfile(reference);
    const { delay: _dropped, ...withoutDelay } = current;
    expect(() => driftAgainstProfile(profile, withoutDelay)).toThrow(expect.objectContaining({ code: "missing-columns", message: expect.stringContaining("`delay`") }));
    expect(() => driftAgainstProfile(profile, { ...current, distance: ["7", 3] })).toThrow(expect.objectContaining({ code: "invalid-value" }));
    expect(() => driftAgainstProfile(profile, { ...current, delay: new Float64Array(0) })).toThrow(expect.objectContaining({ code: "empty-window", message: expect.stringContaining("`delay`") }));
    expect(() => buildProfile({ x: [1, Infinity] })).toThrow(expect.objectContaining({ code: "invalid-value" }));
  });

  it("profiles an all-missing reference feature without numbers, and refuses to compare with it", () => {
    const profile = buildProfile({ x: [NaN, NaN], y: ["a", "b"] }, { kinds: { x: "numeric" } });
    expect(profile.features[0]).toMatchObject({ kind: "numeric", missing: 2, missingShare: 1, mean: null, psi: null, sample: [null, null] });
    expect(() => driftAgainstProfile(profile, { x: [1], y: ["a"] })).toThrow(expect.objectContaining({ code: "empty-reference" }));
  });
});
