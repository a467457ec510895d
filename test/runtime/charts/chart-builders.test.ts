import { describe, expect, it } from "vitest";
import { CHART_WIDTH, VEGA_LITE_SCHEMA, renderSvg, type VegaLiteSpec } from "../../../runtime/charts/index.js";
import { buildAll, compileStrict } from "./chart-fixtures.js";

const specs = buildAll();

/** Widths of the spec's unit charts (a vconcat has several). */
function widths(spec: VegaLiteSpec): unknown[] {
  const s = spec as { width?: unknown; vconcat?: Array<{ width?: unknown }> };
  return s.vconcat ? s.vconcat.map((c) => c.width) : [s.width];
}

describe("chart builders", () => {
  for (const [name, spec] of Object.entries(specs)) {
    it(`${name}: compiles without warnings, titled, ~400 px wide, data inline`, () => {
      const { vega, problems } = compileStrict(spec);
      expect(problems).toEqual([]);
      expect(vega).toHaveProperty("marks");
      expect(spec.$schema).toBe(VEGA_LITE_SCHEMA);
      expect(spec.title).toBeTruthy();
      for (const w of widths(spec)) expect(w === CHART_WIDTH || (typeof w === "number" && w >= 120 && w <= 400)).toBe(true);
      const json = JSON.stringify(spec);
      expect(json).not.toMatch(/"url"\s*:/);
      expect(json).toMatch(/"values"\s*:\s*\[\{/);
      expect(typeof (spec.usermeta as { summary?: unknown }).summary).toBe("string");
    });
  }

  it("same input gives identical JSON", () => {
    expect(JSON.stringify(buildAll())).toBe(JSON.stringify(specs));
  });

  it("same input gives identical SVG for every chart, also when rendered concurrently", async () => {
    const names = Object.keys(specs);
    const sequential: string[] = [];
    for (const n of names) sequential.push(await renderSvg(specs[n]));
    const again = buildAll();
    const concurrent = await Promise.all(names.map((n) => renderSvg(again[n])));
    expect(concurrent).toEqual(sequential);
    for (const svg of sequential) expect(svg).toMatch(/role-mark/);
  }, 60_000);
});

describe("builder details", () => {
  it("feature importance is sorted, most important first, ties by name", async () => {
    const { featureImportanceChart } = await import("../../../runtime/charts/index.js");
    const spec = featureImportanceChart({ names: ["c", "a", "b", "d"], importance: [0.1, 0.4, 0.4, 0.1], top: 3 }) as {
      data: { values: Array<{ feature: string }> };
      title: { subtitle: string };
    };
    expect(spec.data.values.map((v) => v.feature)).toEqual(["a", "b", "c"]);
    expect(spec.title.subtitle).toBe("top 3 of 4 features");
  });

  it("histogram inlines bin counts, not rows, and reports missing values", async () => {
    const { histogramChart } = await import("../../../runtime/charts/index.js");
    const values = Array.from({ length: 100_000 }, (_, i) => (i % 1000) / 10);
    const spec = histogramChart({ column: "x", values: [...values, null] }) as {
      data: { values: Array<{ bin_start: number; bin_end: number; count: number }> };
      title: { subtitle: string };
    };
    const bins = spec.data.values;
    expect(bins.length).toBeLessThanOrEqual(21);
    expect(bins.reduce((a, b) => a + b.count, 0)).toBe(100_000);
    expect(bins[0].bin_start).toBe(0);
    for (let i = 1; i < bins.length; i++) expect(bins[i].bin_start).toBe(bins[i - 1].bin_end);
    expect(spec.title.subtitle).toBe("1 missing values not shown");
  });

  it("scatter thins large inputs evenly and says so", async () => {
    const { scatterChart } = await import("../../../runtime/charts/index.js");
    const xs = Float64Array.from({ length: 20_000 }, (_, i) => i);
    const spec = scatterChart({ x: { name: "i", values: xs }, y: { name: "i2", values: xs }, maxPoints: 1000 }) as {
      data: { values: Array<{ x: number }> };
      title: { subtitle: string };
    };
    expect(spec.data.values.length).toBe(1000);
    expect(spec.data.values[1].x - spec.data.values[0].x).toBe(20);
    expect(spec.title.subtitle).toMatch(/showing 1000 of 20000 rows/);
  });

  it("drift columns share bins and make room for categories new in the current data", async () => {
    const { driftColumn } = await import("../../../runtime/charts/index.js");
    const numeric = driftColumn("x", [0, 1, 2, 3], [5, 6, 7, 8]);
    expect(numeric.reference.reduce((a, b) => a + b)).toBe(4);
    expect(numeric.current.reduce((a, b) => a + b)).toBe(4);
    expect(numeric.bins.length).toBe(numeric.reference.length);
    const cat = driftColumn("s", ["a", "a", "b"], ["a", "c", null]);
    expect(cat.bins).toEqual(["a", "b", "(missing)", "c"]);
    expect(cat.reference).toEqual([2, 1, 0, 0]);
    expect(cat.current).toEqual([1, 0, 1, 1]);
  });

  it("tuning marks the best trial by the metric's direction", async () => {
    const { tuningResultsChart } = await import("../../../runtime/charts/index.js");
    const trials = [
      { trial: 1, score: 3, params: { a: 1 } },
      { trial: 2, score: 1, params: { a: 2 } },
      { trial: 3, score: 2, params: { a: 3 } },
    ];
    const best = (higherIsBetter: boolean) =>
      (tuningResultsChart({ metric: "rmse", trials, higherIsBetter }) as { data: { values: Array<{ trial: number; kind: string }> } }).data.values.find(
        (v) => v.kind === "best",
      )?.trial;
    expect(best(true)).toBe(1);
    expect(best(false)).toBe(2);
  });

  it("rejects a confusion matrix that does not match the classes", async () => {
    const { confusionMatrixChart } = await import("../../../runtime/charts/index.js");
    expect(() => confusionMatrixChart({ classes: ["a", "b"], matrix: [[1, 2, 3]] })).toThrow(/2×2/);
  });
});
