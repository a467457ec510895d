import { describe, expect, it } from "vitest";
import { metricNames as catalogNames, metrics } from "../../../language/catalog.js";
import { computeMetrics } from "../../../runtime/metrics/compute-metrics.js";
import { metricInfo, metricNames, suggestMetric } from "../../../runtime/metrics/metric-info.js";

// The catalog is the one registry of metrics: the runtime's table is derived from it, not a second list.
describe("metricInfo", () => {
  it("is the catalog's metrics, texts and all", () => {
    expect({ ...metricInfo }).toEqual({ ...metrics });
    expect(metricNames()).toEqual(catalogNames());
    expect(metricNames("regression")).toEqual(["mse", "rmse", "mae", "r2"]);
  });

  it("answers only metric names, not Object.prototype's", () => {
    for (const n of ["constructor", "toString", "__proto__"]) expect(metricInfo[n], n).toBeUndefined();
    const base = { task: "classification" as const, yTrue: Float32Array.from([0, 1]), yPred: Float32Array.from([0, 1]), classes: ["n", "y"] };
    expect(() => computeMetrics(["constructor"], base)).toThrow(/unknown metric/);
    expect(suggestMetric("acuracy", "classification")).toBe("accuracy");
  });
});
