import { describe, expect, it } from "vitest";
import { chi2 } from "../../../runtime/monitor/chi2.js";
import { datasetDrift, decide, featureDrift, resolveMethod, summarise } from "../../../runtime/monitor/drift.js";
import { jensenShannonCategorical } from "../../../runtime/monitor/jensen-shannon.js";
import { ks } from "../../../runtime/monitor/ks.js";
import { psi } from "../../../runtime/monitor/psi.js";
import { wassersteinNormalised } from "../../../runtime/monitor/wasserstein.js";
import { SeededRandom, categories, sample } from "./oracle.js";

describe("auto picks the method from the reference's row count", () => {
  it("tests (ks, chi2) up to 1,000 reference rows, distances (wasserstein, js) above", () => {
    expect(resolveMethod("auto", "numeric", 1000)).toBe("ks");
    expect(resolveMethod("auto", "categorical", 1000)).toBe("chi2");
    expect(resolveMethod("auto", "numeric", 1001)).toBe("wasserstein");
    expect(resolveMethod("auto", "categorical", 1001)).toBe("js");
    expect(resolveMethod({ numeric: "psi" }, "categorical", 10)).toBe("chi2");
    expect(resolveMethod({ numeric: "psi" }, "numeric", 10)).toBe("psi");
  });

  it("counts reference rows with their missing values", () => {
    const ref = [...Array(1000).fill(1), null];
    expect(featureDrift("x", "numeric", ref, [1, 2]).method).toBe("wasserstein");
    expect(featureDrift("x", "numeric", ref.slice(1), [1, 2]).method).toBe("ks");
  });

  it("a method that does not fit the feature's kind is a coded error naming it", () => {
    expect(() => resolveMethod("ks", "categorical", 10, "colour")).toThrow(expect.objectContaining({ code: "invalid-drift-method", message: expect.stringContaining("`colour`") }));
    expect(() => resolveMethod("chi2", "numeric", 10)).toThrow(expect.objectContaining({ code: "invalid-drift-method" }));
    expect(() => resolveMethod("bogus" as never, "numeric", 10)).toThrow(expect.objectContaining({ code: "invalid-drift-method" }));
  });
});

describe("per-feature decisions", () => {
  const rng = new SeededRandom(1);
  const ref = sample(rng, 500, "normal");
  const moved = sample(rng, 400, "far", 1);
  const still = sample(rng, 400, "normal");

  it("carry each method's statistic and p-value", () => {
    const r = featureDrift("x", "numeric", ref, moved, { method: "ks" });
    const direct = ks(ref, moved);
    expect(r).toEqual({ feature: "x", kind: "numeric", method: "ks", statistic: direct.statistic, pValue: direct.pValue, threshold: 0.05, drifted: true });
    expect(featureDrift("x", "numeric", ref, still, { method: "ks" }).drifted).toBe(false);
    expect(featureDrift("x", "numeric", ref, moved, { method: "psi" })).toMatchObject({ statistic: psi(ref, moved), threshold: 0.1, drifted: true });
    expect(featureDrift("x", "numeric", ref, moved, { method: "wasserstein" })).toMatchObject({ statistic: wassersteinNormalised(ref, moved).statistic, drifted: true });
    const cats = categories(rng, 300, ["a", "b", "c"]);
    const tilted = categories(rng, 300, ["a", "b", "c"], 3);
    expect(featureDrift("c", "categorical", cats, tilted)).toMatchObject({ method: "chi2", statistic: chi2(cats, tilted).statistic, pValue: chi2(cats, tilted).pValue, drifted: true });
    expect(featureDrift("c", "categorical", cats, tilted, { method: "js" })).toMatchObject({ statistic: jensenShannonCategorical(cats, tilted), drifted: true });
  });

  it("tests drift below their threshold, distances at or above it", () => {
    expect(decide("x", "numeric", "ks", 0.3, 0.05, undefined).drifted).toBe(false);
    expect(decide("x", "numeric", "ks", 0.3, 0.0499, undefined).drifted).toBe(true);
    expect(decide("x", "numeric", "js", 0.1, undefined, undefined).drifted).toBe(true);
    expect(decide("x", "numeric", "js", 0.0999, undefined, undefined).drifted).toBe(false);
    expect(decide("x", "numeric", "psi", 0.2, undefined, { psi: 0.25 })).toMatchObject({ threshold: 0.25, drifted: false });
    expect(decide("x", "numeric", "psi", 0.2, undefined, undefined)).not.toHaveProperty("pValue");
  });

  it("an empty or all-missing current window is a coded error naming the feature", () => {
    expect(() => featureDrift("age", "numeric", ref, [null, NaN])).toThrow(expect.objectContaining({ code: "empty-window", message: expect.stringContaining("`age`") }));
    expect(() => featureDrift("colour", "categorical", ["a"], [])).toThrow(expect.objectContaining({ code: "empty-window", message: expect.stringContaining("`colour`") }));
  });
});

describe("dataset drift", () => {
  const f = (drifted: boolean) => decide("x", "numeric", "js", drifted ? 0.5 : 0, undefined, undefined);

  it("drifts when at least half of the features drift", () => {
    expect(summarise([f(true), f(true), f(false), f(false)])).toMatchObject({ drifted: true, share: 0.5, threshold: 0.5 });
    expect(summarise([f(true), f(false), f(false), f(false)])).toMatchObject({ drifted: false, share: 0.25 });
    expect(summarise([f(true), f(false), f(false)], 0.3)).toMatchObject({ drifted: true });
    expect(summarise([])).toMatchObject({ drifted: false, share: 0, features: [] });
  });

  it("uses one method family for every feature of a dataset", () => {
    const rng = new SeededRandom(4);
    const r = datasetDrift([
      { feature: "a", kind: "numeric", reference: sample(rng, 1200, "normal"), current: sample(rng, 100, "far", 1) },
      { feature: "b", kind: "categorical", reference: categories(rng, 50, ["x", "y"]), current: categories(rng, 50, ["x", "y"]) },
    ]);
    expect(r.features.map((x) => x.method)).toEqual(["wasserstein", "js"]);
    expect(r.features[0].drifted).toBe(true);
  });
});
