import { binEdges, countInBins, numericExtent } from "./histogram-bins.js";
import { valueCounts } from "./top-values-chart.js";
import { formatNumber, summary, textTable } from "./text-table.js";
import { CHART_WIDTH, VEGA_LITE_SCHEMA, type VegaLiteSpec } from "./types.js";

/** Reference and current distributions of one column over shared bins. */
export interface DriftColumn {
  column: string;
  /** Bin labels in display order: value ranges for numeric columns, categories otherwise. */
  bins: string[];
  /** Row counts per bin in the reference (training) data. */
  reference: number[];
  /** Row counts per bin in the current (serving) data. */
  current: number[];
  /** Drift score for the subtitle, e.g. PSI or Wasserstein distance. */
  score?: number;
  /** Name of the score, e.g. "PSI". */
  method?: string;
  drifted?: boolean;
}

export interface DriftChartInput {
  columns: DriftColumn[];
  title?: string;
}

type Value = string | number | boolean | null | undefined;

/** Most categories drawn per column; the rest are pooled so the chart stays readable. */
const MAX_CATEGORIES = 20;
const OTHER_LABEL = "(other)";

/**
 * Builds a DriftColumn from raw values: numeric columns share nice bins over
 * both datasets' range, categorical columns the reference's most frequent
 * categories (plus any pooled remainder).
 */
export function driftColumn(column: string, reference: ArrayLike<Value>, current: ArrayLike<Value>, maxbins = 20): DriftColumn {
  const numeric = [reference, current].every((vs) => Array.from(vs).every((v) => v == null || typeof v === "number"));
  if (numeric) {
    const ref = reference as ArrayLike<number | null | undefined>;
    const cur = current as ArrayLike<number | null | undefined>;
    const extent = numericExtent(ref, cur) ?? [0, 1];
    const edges = binEdges(extent, maxbins);
    const bins = edges.slice(0, -1).map((e, i) => `${formatNumber(e)}–${formatNumber(edges[i + 1])}`);
    return { column, bins, reference: countInBins(ref, edges).counts, current: countInBins(cur, edges).counts };
  }
  const refCounts = valueCounts(reference);
  const curCounts = new Map(valueCounts(current).map((c) => [c.value, c.count]));
  const kept = refCounts.slice(0, MAX_CATEGORIES).map((c) => c.value);
  // Categories new in the current data matter most for drift, so they get slots too.
  for (const value of curCounts.keys()) if (!kept.includes(value) && kept.length < MAX_CATEGORIES) kept.push(value);
  const keptSet = new Set(kept);
  const refMap = new Map(refCounts.map((c) => [c.value, c.count]));
  const other = (counts: Map<string, number>) => [...counts].filter(([v]) => !keptSet.has(v)).reduce((a, [, c]) => a + c, 0);
  const refOther = other(refMap);
  const curOther = other(curCounts);
  const bins = refOther + curOther > 0 ? [...kept, OTHER_LABEL] : kept;
  return {
    column,
    bins,
    reference: [...kept.map((v) => refMap.get(v) ?? 0), ...(bins.length > kept.length ? [refOther] : [])],
    current: [...kept.map((v) => curCounts.get(v) ?? 0), ...(bins.length > kept.length ? [curOther] : [])],
  };
}

/** Reference vs current distribution per column, as shares so datasets of different sizes compare. */
export function driftChart(input: DriftChartInput): VegaLiteSpec {
  const title = input.title ?? "Drift: reference vs current";
  const charts = input.columns.map((c) => {
    if (c.reference.length !== c.bins.length || c.current.length !== c.bins.length) {
      throw new RangeError(`column "${c.column}": bins, reference and current differ in length`);
    }
    const refTotal = c.reference.reduce((a, b) => a + b, 0);
    const curTotal = c.current.reduce((a, b) => a + b, 0);
    const values = c.bins.flatMap((bin, i) => [
      { bin, dataset: "reference", count: c.reference[i], share: refTotal ? c.reference[i] / refTotal : 0 },
      { bin, dataset: "current", count: c.current[i], share: curTotal ? c.current[i] / curTotal : 0 },
    ]);
    return {
      title: { text: c.column, subtitle: scoreText(c) ?? "", anchor: "start" as const },
      width: CHART_WIDTH,
      height: 160,
      data: { values },
      mark: { type: "bar" as const },
      encoding: {
        x: { field: "bin", type: "nominal" as const, sort: c.bins, title: null, axis: { labelAngle: -40, labelLimit: 90 } },
        xOffset: { field: "dataset", type: "nominal" as const, sort: ["reference", "current"] },
        y: { field: "share", type: "quantitative" as const, title: "Share of rows", axis: { format: "%" } },
        color: { field: "dataset", type: "nominal" as const, sort: ["reference", "current"], title: null, scale: { range: ["#9ecae1", "#e6550d"] } },
        tooltip: [
          { field: "bin", type: "nominal" as const, title: c.column },
          { field: "dataset", type: "nominal" as const },
          { field: "count", type: "quantitative" as const },
          { field: "share", type: "quantitative" as const, format: ".1%" },
        ],
      },
    };
  });
  const table = textTable(
    ["column", "score", "method", "drifted"],
    input.columns.map((c) => [c.column, c.score ?? null, c.method ?? "", c.drifted === undefined ? "" : c.drifted ? "yes" : "no"]),
  );
  return {
    $schema: VEGA_LITE_SCHEMA,
    title,
    vconcat: charts,
    resolve: { scale: { color: "shared" } },
    usermeta: { summary: summary(title, table) },
  };
}

function scoreText(c: DriftColumn): string | undefined {
  if (c.score === undefined) return c.drifted === undefined ? undefined : c.drifted ? "drift detected" : "no drift";
  const verdict = c.drifted === undefined ? "" : c.drifted ? " — drift detected" : " — no drift";
  return `${c.method ?? "score"} ${formatNumber(c.score)}${verdict}`;
}
