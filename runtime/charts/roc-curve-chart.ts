import { formatNumber, summary, textTable } from "./text-table.js";
import { CHART_WIDTH, VEGA_LITE_SCHEMA, type VegaLiteSpec } from "./types.js";

export interface RocSeries {
  /** Class name (the positive class of this curve). */
  label: string;
  fpr: ArrayLike<number>;
  tpr: ArrayLike<number>;
  auc?: number;
}

export interface RocChartInput {
  /** One curve for a binary model, one per class (one-vs-rest) for multiclass. */
  curves: RocSeries[];
  title?: string;
}

/** ROC curves, one line per class, over the chance diagonal. */
export function rocCurveChart(input: RocChartInput): VegaLiteSpec {
  const title = input.title ?? "ROC curve";
  const names = input.curves.map(seriesName);
  const values = input.curves.flatMap((c, s) => {
    if (c.fpr.length !== c.tpr.length) throw new RangeError(`curve "${c.label}": fpr and tpr differ in length`);
    // `i` keeps the drawing order: vertical runs share an fpr, so sorting by x alone would scramble them.
    return Array.from({ length: c.fpr.length }, (_, i) => ({ series: names[s], i, fpr: c.fpr[i], tpr: c.tpr[i] }));
  });
  const table = textTable(
    ["class", "AUC", "points"],
    input.curves.map((c) => [c.label, c.auc ?? null, c.fpr.length]),
  );
  return {
    $schema: VEGA_LITE_SCHEMA,
    title,
    width: CHART_WIDTH,
    height: CHART_WIDTH,
    layer: [
      {
        name: "chance",
        data: { values: [{ fpr: 0, tpr: 0, fpr2: 1, tpr2: 1 }] },
        mark: { type: "rule", strokeDash: [4, 4], color: "#999" },
        encoding: {
          x: { field: "fpr", type: "quantitative" },
          y: { field: "tpr", type: "quantitative" },
          x2: { field: "fpr2" },
          y2: { field: "tpr2" },
        },
      },
      {
        name: "curves",
        data: { values },
        mark: { type: "line", interpolate: "linear" },
        encoding: {
          x: { field: "fpr", type: "quantitative", title: "False positive rate", scale: { domain: [0, 1] } },
          y: { field: "tpr", type: "quantitative", title: "True positive rate", scale: { domain: [0, 1] } },
          color: { field: "series", type: "nominal", title: "Class", sort: names },
          order: { field: "i", type: "quantitative" },
        },
      },
    ],
    usermeta: { summary: summary(title, table) },
  };
}

function seriesName(c: RocSeries): string {
  return c.auc === undefined ? c.label : `${c.label} (AUC ${formatNumber(Number(c.auc.toFixed(3)))})`;
}
