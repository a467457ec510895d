import { classCurvesLayer } from "./class-curves.js";
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
      classCurvesLayer(values, { field: "fpr", title: "False positive rate" }, { field: "tpr", title: "True positive rate" }, names),
    ],
    usermeta: { summary: summary(title, table) },
  };
}

function seriesName(c: RocSeries): string {
  return c.auc === undefined ? c.label : `${c.label} (AUC ${formatNumber(Number(c.auc.toFixed(3)))})`;
}
