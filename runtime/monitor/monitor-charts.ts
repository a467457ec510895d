import type { DrawChart } from "../charts/render-bundle.js";
import type { ChartBundle, VegaLiteSpec } from "../charts/types.js";
import { CHART_WIDTH, VEGA_LITE_SCHEMA } from "../charts/types.js";
import type { MonitorResult } from "./evaluate.js";

/** A chart of a monitor evaluation. */
export interface MonitorChart {
  title: string;
  bundle: ChartBundle;
}

/** PSI of every monitored feature (one scale whatever each rule's method), drifted ones marked by the rule's verdict. */
export function driftChartSpec(r: MonitorResult): VegaLiteSpec {
  const values = r.drift.map((d) => ({ feature: d.feature, psi: d.psi, method: d.method, statistic: d.statistic, drifted: d.drifted ? "drifted" : "stable" }));
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: `Drift per feature of "${r.name}" (PSI; colour: the rule's ${[...new Set(r.drift.map((d) => d.method))].join("/")} verdict)`,
    width: CHART_WIDTH,
    data: { values },
    mark: { type: "bar" },
    encoding: {
      y: { field: "feature", type: "nominal", sort: "-x", title: null },
      x: { field: "psi", type: "quantitative", title: "PSI" },
      color: { field: "drifted", type: "nominal", scale: { domain: ["stable", "drifted"], range: ["#4c78a8", "#e45756"] }, title: null },
      tooltip: [{ field: "feature" }, { field: "method" }, { field: "statistic", format: ".4g" }, { field: "psi", format: ".4g" }],
    },
    usermeta: { summary: values.map((v) => `${v.feature}: PSI ${v.psi.toFixed(4)}, ${v.method} ${v.statistic.toPrecision(4)} (${v.drifted})`).join("\n") },
  } as VegaLiteSpec;
}

/** Latency percentiles per bucket of the window. */
export function latencyChartSpec(r: MonitorResult): VegaLiteSpec {
  const values = r.series.points.flatMap((p) => (["p50", "p90", "p95", "p99"] as const).flatMap((q) => (p[q] === null ? [] : [{ time: p.time, percentile: q, ms: p[q] }])));
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: `Latency of "${r.name}" over time (ms)`,
    width: CHART_WIDTH,
    data: { values },
    mark: { type: "line", point: true },
    encoding: {
      x: { field: "time", type: "temporal", title: null },
      y: { field: "ms", type: "quantitative", title: "ms" },
      color: { field: "percentile", type: "nominal", sort: ["p50", "p90", "p95", "p99"] },
    },
    usermeta: { summary: `latency p50/p90/p95/p99 over ${r.series.points.length} bucket(s) of ${r.series.bucketMs / 60_000} min` },
  } as VegaLiteSpec;
}

/** Live accuracy per bucket when labels arrived, else requests per bucket. */
export function metricChartSpec(r: MonitorResult): VegaLiteSpec {
  const labelled = r.series.points.some((p) => p.accuracy !== null);
  const values = labelled ? r.series.points.filter((p) => p.accuracy !== null).map((p) => ({ time: p.time, value: p.accuracy, n: p.labelled })) : r.series.points.map((p) => ({ time: p.time, value: p.requests, n: p.requests }));
  const what = labelled ? "live accuracy" : "requests";
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: `${labelled ? "Live accuracy" : "Requests"} of "${r.name}" over time`,
    width: CHART_WIDTH,
    data: { values },
    mark: { type: "line", point: true },
    encoding: {
      x: { field: "time", type: "temporal", title: null },
      y: { field: "value", type: "quantitative", title: what, ...(labelled ? { scale: { domain: [0, 1] } } : {}) },
      tooltip: [{ field: "time", type: "temporal" }, { field: "value", format: ".4g" }, { field: "n", title: labelled ? "labelled" : "requests" }],
    },
    usermeta: { summary: `${what} over ${values.length} bucket(s)` },
  } as VegaLiteSpec;
}

/** The server process's memory (largest RSS sampled, MB) above its CPU (share of one core) per bucket of the window. */
export function resourceChartSpec(r: MonitorResult): VegaLiteSpec {
  const values = r.series.points.flatMap((p) => (p.rss === null && p.cpu === null ? [] : [{ time: p.time, rss: p.rss === null ? null : p.rss / 2 ** 20, cpu: p.cpu }]));
  const line = (field: string, title: string, format: string) => ({
    width: CHART_WIDTH,
    height: 120,
    mark: { type: "line", point: true },
    transform: [{ filter: `datum.${field} !== null` }],
    encoding: {
      x: { field: "time", type: "temporal", title: null },
      y: { field, type: "quantitative", title, ...(field === "cpu" ? { axis: { format: "%" } } : {}) },
      tooltip: [{ field: "time", type: "temporal" }, { field, format, title }],
    },
  });
  const peak = Math.max(...values.map((v) => v.rss ?? 0));
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: `Memory and CPU of the process serving "${r.name}" over time`,
    data: { values },
    vconcat: [line("rss", "RSS (MB)", ".1f"), line("cpu", "CPU (one core = 100%)", ".1%")],
    usermeta: { summary: `RSS (largest ${peak.toFixed(1)} MB) and CPU over ${values.length} bucket(s) of ${r.series.bucketMs / 60_000} min` },
  } as unknown as VegaLiteSpec;
}

/** The charts of an evaluation, rendered (drift per feature, a metric over time, latency percentiles over time, memory and CPU over time); those without data are left out. */
export async function monitorCharts(r: MonitorResult, options: { png?: boolean; draw?: DrawChart } = {}): Promise<MonitorChart[]> {
  const { renderBundle } = await import("../charts/render-bundle.js");
  const labelled = r.series.points.some((p) => p.accuracy !== null);
  const resources = r.series.points.some((p) => p.rss !== null || p.cpu !== null);
  const specs = [...(r.drift.length ? [driftChartSpec(r)] : []), ...(r.counts.requests || labelled ? [metricChartSpec(r)] : []), ...(r.counts.requests ? [latencyChartSpec(r)] : []), ...(resources ? [resourceChartSpec(r)] : [])];
  const out: MonitorChart[] = [];
  const draw = options.draw ?? renderBundle;
  for (const spec of specs) out.push({ title: String(spec.title), bundle: await draw(spec, { png: options.png ?? false }) });
  return out;
}
