import { summary, textTable } from "./text-table.js";
import { CHART_WIDTH, VEGA_LITE_SCHEMA, type VegaLiteSpec } from "./types.js";

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
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: note ? { text: title, subtitle: note } : title,
    width: CHART_WIDTH,
    height: { step: 18 },
    data: { values: rows },
    mark: { type: "bar" },
    encoding: {
      y: { field: "feature", type: "nominal", sort: rows.map((r) => r.feature), title: null },
      x: { field: "importance", type: "quantitative", title: "Importance" },
      tooltip: [
        { field: "feature", type: "nominal" },
        { field: "importance", type: "quantitative", format: ".4f" },
      ],
    },
    usermeta: { summary: summary(title, textTable(["feature", "importance"], rows.map((r) => [r.feature, r.importance])), note) },
  };
}
