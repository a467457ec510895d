import { rankedBarChart } from "./ranked-bar-chart.js";
import type { VegaLiteSpec } from "./types.js";

export interface FeatureImportanceInput {
  names: string[];
  importance: ArrayLike<number>;
  /** Show only the most important features (default 30). */
  top?: number;
  title?: string;
}

/** Horizontal bars of feature importance, most important at the top. */
export function featureImportanceChart(input: FeatureImportanceInput): VegaLiteSpec {
  const { names, importance } = input;
  if (names.length !== importance.length) throw new RangeError("names and importance differ in length");
  const top = input.top ?? 30;
  const title = input.title ?? "Feature importance";
  // Ties broken by name so the order never depends on the sort algorithm.
  const rows = names
    .map((feature, i) => ({ feature, importance: importance[i] }))
    .sort((a, b) => b.importance - a.importance || (a.feature < b.feature ? -1 : a.feature > b.feature ? 1 : 0))
    .slice(0, top);
  const note = names.length > rows.length ? `top ${rows.length} of ${names.length} features` : undefined;
  return rankedBarChart({
    rows,
    label: { field: "feature", name: "feature", axisTitle: null },
    length: { field: "importance", axisTitle: "Importance", format: ".4f" },
    title,
    note,
  });
}
