import { sampleNote, sampleRows } from "./sample-rows.js";
import { formatNumber, summary, textTable } from "./text-table.js";
import { CHART_HEIGHT, CHART_WIDTH, VEGA_LITE_SCHEMA, type VegaLiteSpec } from "./types.js";

export interface ResidualsInput {
  actual: ArrayLike<number>;
  predicted: ArrayLike<number>;
  target?: string;
  maxPoints?: number;
  title?: string;
}

/** Residuals (actual − predicted) against predicted values, around a zero line. */
export function residualsChart(input: ResidualsInput): VegaLiteSpec {
  const { actual, predicted } = input;
  if (actual.length !== predicted.length) throw new RangeError("actual and predicted differ in length");
  const title = input.title ?? "Residuals";
  const target = input.target ?? "value";
  const rows = sampleRows(actual.length, input.maxPoints);
  const values = rows.map((i) => ({ predicted: predicted[i], residual: actual[i] - predicted[i] }));
  // Summary statistics over all rows, not just the drawn ones.
  let sum = 0;
  let sumSq = 0;
  let maxAbs = 0;
  for (let i = 0; i < actual.length; i++) {
    const r = actual[i] - predicted[i];
    sum += r;
    sumSq += r * r;
    maxAbs = Math.max(maxAbs, Math.abs(r));
  }
  const n = actual.length;
  const stats = textTable(
    ["rows", "mean residual", "residual std", "max |residual|"],
    [[n, n ? sum / n : null, n ? Math.sqrt(Math.max(0, sumSq / n - (sum / n) ** 2)) : null, maxAbs]],
  );
  const note = sampleNote(n, rows.length);
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: note ? { text: title, subtitle: note } : title,
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
    layer: [
      {
        name: "points",
        data: { values },
        mark: { type: "circle", opacity: 0.6, size: 30 },
        encoding: {
          x: { field: "predicted", type: "quantitative", title: `Predicted ${target}`, scale: { zero: false } },
          y: { field: "residual", type: "quantitative", title: "Residual (actual − predicted)" },
          tooltip: [
            { field: "predicted", type: "quantitative" },
            { field: "residual", type: "quantitative" },
          ],
        },
      },
      {
        name: "zero",
        data: { values: [{ residual: 0 }] },
        mark: { type: "rule", strokeDash: [4, 4], color: "#999" },
        encoding: { y: { field: "residual", type: "quantitative" } },
      },
    ],
    usermeta: { summary: summary(title, stats, note ? `${note}; statistics over all ${formatNumber(n)} rows` : undefined) },
  };
}
