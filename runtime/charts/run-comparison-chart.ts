import type { MetricAcrossRuns } from "../run-compare.js";
import { integerAxis } from "./integer-axis.js";
import { summary, textTable } from "./text-table.js";
import { CHART_HEIGHT, CHART_WIDTH, VEGA_LITE_SCHEMA, type VegaLiteSpec } from "./types.js";

/**
 * One metric across runs (`lathe runs compare --chart METRIC`): a bar per run (grouped by metric
 * key when the name matches several, such as `accuracy` on two datasets), or for a loss curve a
 * line per run (dashed by dataset when there are training and validation curves).
 */
export function runComparisonChart(m: MetricAcrossRuns): VegaLiteSpec {
  const title = `${m.metric} across runs`;
  const several = m.keys.length > 1;
  if (m.kind === "values") {
    const runs = [...new Set(m.rows.map((r) => r.run))];
    const table = textTable(several ? ["run", "metric", "value"] : ["run", m.keys[0]], m.rows.map((r) => (several ? [r.run, r.key, r.value] : [r.run, r.value])));
    return {
      $schema: VEGA_LITE_SCHEMA,
      title,
      width: Math.max(CHART_WIDTH, runs.length * (several ? 24 * m.keys.length : 40)),
      height: CHART_HEIGHT,
      data: { values: m.rows },
      mark: { type: "bar" },
      encoding: {
        x: { field: "run", type: "nominal", sort: runs, title: "Run", axis: { labelAngle: -30, labelLimit: 300 } },
        y: { field: "value", type: "quantitative", title: several ? m.metric : m.keys[0] },
        ...(several ? { xOffset: { field: "key", type: "nominal", sort: m.keys }, color: { field: "key", type: "nominal", title: "Metric", sort: m.keys } } : {}),
        tooltip: [
          { field: "run", type: "nominal", title: "Run" },
          { field: "key", type: "nominal", title: "Metric" },
          { field: "value", type: "quantitative", title: "Value", format: ".6g" },
        ],
      },
      usermeta: { summary: summary(title, table) },
    };
  }
  const unit = m.unit;
  const last = new Map<string, { run: string; key: string; step: number; value: number }>();
  for (const p of m.points) last.set(`${p.run}\u0000${p.key}`, p);
  const table = textTable(["run", "curve", `${unit}s`, "last"], [...last.values()].map((p) => [p.run, p.key, p.step, p.value]));
  return {
    $schema: VEGA_LITE_SCHEMA,
    title,
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
    data: { values: m.points },
    mark: { type: "line" },
    encoding: {
      x: { field: "step", type: "quantitative", title: unit[0].toUpperCase() + unit.slice(1), axis: integerAxis(m.points.map((p) => p.step)) },
      y: { field: "value", type: "quantitative", title: m.metric, scale: { zero: false } },
      color: { field: "run", type: "nominal", title: "Run", legend: { labelLimit: 300 } },
      ...(several ? { strokeDash: { field: "key", type: "nominal", title: "Curve", sort: m.keys } } : {}),
      tooltip: [
        { field: "run", type: "nominal", title: "Run" },
        { field: "key", type: "nominal", title: "Curve" },
        { field: "step", type: "quantitative", title: unit },
        { field: "value", type: "quantitative", title: m.metric, format: ".4f" },
      ],
    },
    usermeta: { summary: summary(title, table) },
  };
}
