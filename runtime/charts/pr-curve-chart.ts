import { classColor, classCurvesLayer } from "./class-curves.js";
import { summary, textTable } from "./text-table.js";
import { CHART_WIDTH, VEGA_LITE_SCHEMA, type VegaLiteSpec } from "./types.js";

export interface PrSeries {
  /** Class name (the positive class of this curve). */
  label: string;
  precision: ArrayLike<number>;
  recall: ArrayLike<number>;
  /** Share of positives: the precision of a random classifier, drawn as a dashed line. */
  baseline?: number;
}

export interface PrChartInput {
  curves: PrSeries[];
  title?: string;
}

/** Precision-recall curves, one line per class, with each class's chance baseline. */
export function prCurveChart(input: PrChartInput): VegaLiteSpec {
  const title = input.title ?? "Precision-recall curve";
  const names = input.curves.map((c) => c.label);
  const values = input.curves.flatMap((c) => {
    if (c.precision.length !== c.recall.length) throw new RangeError(`curve "${c.label}": precision and recall differ in length`);
    return Array.from({ length: c.recall.length }, (_, i) => ({ series: c.label, i, recall: c.recall[i], precision: c.precision[i] }));
  });
  const baselines = input.curves
    .filter((c) => c.baseline !== undefined)
    .map((c) => ({ series: c.label, baseline: c.baseline as number }));
  const table = textTable(
    ["class", "points", "baseline"],
    input.curves.map((c) => [c.label, c.recall.length, c.baseline ?? null]),
  );
  return {
    $schema: VEGA_LITE_SCHEMA,
    title,
    width: CHART_WIDTH,
    height: CHART_WIDTH,
    layer: [
      classCurvesLayer(values, { field: "recall", title: "Recall" }, { field: "precision", title: "Precision" }, names),
      ...(baselines.length === 0
        ? []
        : [
            {
              name: "baselines",
              data: { values: baselines },
              mark: { type: "rule" as const, strokeDash: [4, 4], opacity: 0.6 },
              encoding: { y: { field: "baseline", type: "quantitative" as const }, color: classColor(names) },
            },
          ]),
    ],
    usermeta: { summary: summary(title, table) },
  };
}
