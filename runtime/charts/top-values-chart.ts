import { rankedBarChart } from "./ranked-bar-chart.js";
import type { VegaLiteSpec } from "./types.js";

export interface TopValuesInput {
  column: string;
  values: ArrayLike<string | number | boolean | null | undefined>;
  /** How many of the most frequent values to show (default 20). */
  top?: number;
  title?: string;
}

/** Label under which null/undefined values are counted. */
export const MISSING_LABEL = "(missing)";

/** Counts distinct values, most frequent first; ties ordered by value so the result is deterministic. */
export function valueCounts(values: TopValuesInput["values"]): Array<{ value: string; count: number }> {
  const counts = new Map<string, number>();
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const key = v == null ? MISSING_LABEL : String(v);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts]
    .map(([value, count]) => ({ value, count }))
    .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
}

/** Horizontal bars of the most frequent values of a categorical column. */
export function topValuesChart(input: TopValuesInput): VegaLiteSpec {
  const top = input.top ?? 20;
  const all = valueCounts(input.values);
  const rows = all.slice(0, top);
  const note = all.length > rows.length ? `top ${rows.length} of ${all.length} distinct values` : undefined;
  return countsBarChart({ column: input.column, counts: rows, title: input.title, note });
}

/**
 * Bars of value counts already computed (by `valueCounts`, or grouped in DuckDB so millions of rows
 * never become JS strings), most frequent first as given.
 */
export function countsBarChart(input: { column: string; counts: Array<{ value: string; count: number }>; title?: string; note?: string }): VegaLiteSpec {
  const { column, counts: rows, note } = input;
  const title = input.title ?? `Most frequent values of ${column}`;
  return rankedBarChart({
    rows,
    label: { field: "value", name: column, axisTitle: column },
    length: { field: "count", axisTitle: "Count" },
    title,
    note,
  });
}
