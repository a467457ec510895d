import { histogram } from "./histogram-bins.js";
import { summary, textTable } from "./text-table.js";
import { CHART_HEIGHT, CHART_WIDTH, VEGA_LITE_SCHEMA, type NumericValues, type VegaLiteSpec } from "./types.js";

export interface HistogramInput {
  column: string;
  values: NumericValues;
  /** Upper bound on the number of bins (default 20); bins are "nice" round numbers. */
  maxbins?: number;
  title?: string;
}

/** Histogram of a numeric column, binned here so only bin counts are inlined. */
export function histogramChart(input: HistogramInput): VegaLiteSpec {
  const { column } = input;
  const h = histogram(input.values, input.maxbins ?? 20);
  const title = input.title ?? `Distribution of ${column}`;
  const values = h.counts.map((count, i) => ({ bin_start: h.edges[i], bin_end: h.edges[i + 1], count }));
  const step = h.edges.length > 1 ? h.edges[1] - h.edges[0] : 1;
  const note = h.missing > 0 ? `${h.missing} missing values not shown` : undefined;
  const table = textTable(
    ["from", "to", "count"],
    values.map((v) => [v.bin_start, v.bin_end, v.count]),
  );
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: note ? { text: title, subtitle: note } : title,
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
    data: { values },
    mark: { type: "bar", binSpacing: 1 },
    encoding: {
      x: { field: "bin_start", type: "quantitative", bin: { binned: true, step }, title: column },
      x2: { field: "bin_end" },
      y: { field: "count", type: "quantitative", title: "Count" },
      tooltip: [
        { field: "bin_start", type: "quantitative", title: "from" },
        { field: "bin_end", type: "quantitative", title: "to" },
        { field: "count", type: "quantitative" },
      ],
    },
    usermeta: { summary: summary(title, table, note) },
  };
}
