/**
 * Horizontal bars, one per row, largest at the top: the shape shared by feature importance and
 * the most frequent values of a column, so both look and summarise alike.
 */
import { summary, textTable } from "./text-table.js";
import { CHART_WIDTH, VEGA_LITE_SCHEMA, type VegaLiteSpec } from "./types.js";

export interface RankedBarInput {
  /** One row per bar, already ranked (top first) and cut to the bars shown. */
  rows: Array<Record<string, string | number>>;
  /** The bars' labels: their row field, their name in tooltips and the summary, and the axis title (null hides it). */
  label: { field: string; name: string; axisTitle: string | null };
  /** The bars' lengths: their row field (also the summary's header), the axis title and an optional tooltip number format. */
  length: { field: string; axisTitle: string; format?: string };
  title: string;
  /** Shown as the subtitle and in the summary, e.g. how many bars were left out. */
  note?: string;
}

/** Ranked horizontal bars in the order given, labels sorted likewise on the axis. */
export function rankedBarChart(input: RankedBarInput): VegaLiteSpec {
  const { rows, label, length, title, note } = input;
  const table = textTable([label.name, length.field], rows.map((r) => [r[label.field], r[length.field]]));
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: note ? { text: title, subtitle: note } : title,
    width: CHART_WIDTH,
    height: { step: 18 },
    data: { values: rows },
    mark: { type: "bar" },
    encoding: {
      y: { field: label.field, type: "nominal", sort: rows.map((r) => String(r[label.field])), title: label.axisTitle },
      x: { field: length.field, type: "quantitative", title: length.axisTitle },
      tooltip: [
        { field: label.field, type: "nominal", title: label.name },
        { field: length.field, type: "quantitative", ...(length.format ? { format: length.format } : {}) },
      ],
    },
    usermeta: { summary: summary(title, table, note) },
  };
}
