import { numericExtent } from "./histogram-bins.js";
import { sampleNote, sampleRows } from "./sample-rows.js";
import { summary, textTable } from "./text-table.js";
import { CHART_WIDTH, VEGA_LITE_SCHEMA, type VegaLiteSpec } from "./types.js";

export interface PredictedVsActualInput {
  actual: ArrayLike<number>;
  predicted: ArrayLike<number>;
  /** Target column name for axis titles. */
  target?: string;
  maxPoints?: number;
  title?: string;
}

/** Scatter of predicted against actual values with the y = x line of perfect predictions. */
export function predictedVsActualChart(input: PredictedVsActualInput): VegaLiteSpec {
  const { actual, predicted } = input;
  if (actual.length !== predicted.length) throw new RangeError("actual and predicted differ in length");
  const title = input.title ?? "Predicted vs actual";
  const target = input.target ?? "value";
  const rows = sampleRows(actual.length, input.maxPoints);
  const values = rows.map((i) => ({ actual: actual[i], predicted: predicted[i] }));
  const [lo, hi] = numericExtent(actual, predicted) ?? [0, 1];
  const note = sampleNote(actual.length, rows.length);
  const shown = values.slice(0, 10).map((v) => [v.actual, v.predicted]);
  const text = summary(title, textTable(["actual", "predicted"], shown), `${actual.length} rows; first ${shown.length}:`);
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: note ? { text: title, subtitle: note } : title,
    width: CHART_WIDTH,
    height: CHART_WIDTH,
    layer: [
      {
        name: "points",
        data: { values },
        mark: { type: "circle", opacity: 0.6, size: 30 },
        encoding: {
          x: { field: "actual", type: "quantitative", title: `Actual ${target}`, scale: { domain: [lo, hi], nice: true } },
          y: { field: "predicted", type: "quantitative", title: `Predicted ${target}`, scale: { domain: [lo, hi], nice: true } },
          tooltip: [
            { field: "actual", type: "quantitative" },
            { field: "predicted", type: "quantitative" },
          ],
        },
      },
      {
        name: "identity",
        data: { values: [{ actual: lo, predicted: lo, actual2: hi, predicted2: hi }] },
        mark: { type: "rule", strokeDash: [4, 4], color: "#999" },
        encoding: {
          x: { field: "actual", type: "quantitative" },
          y: { field: "predicted", type: "quantitative" },
          x2: { field: "actual2" },
          y2: { field: "predicted2" },
        },
      },
    ],
    usermeta: { summary: text },
  };
}
