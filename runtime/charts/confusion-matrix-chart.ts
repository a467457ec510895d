import { summary, textTable } from "./text-table.js";
import { VEGA_LITE_SCHEMA, type VegaLiteSpec } from "./types.js";

export interface ConfusionMatrixInput {
  /** Class labels in index order; rows and columns follow this order. */
  classes: string[];
  /** k×k counts, `matrix[actual][predicted]`. */
  matrix: number[][];
  title?: string;
}

/** Heatmap of a confusion matrix (actual down, predicted across) with each cell's count written in it. */
export function confusionMatrixChart(input: ConfusionMatrixInput): VegaLiteSpec {
  const { classes, matrix } = input;
  const k = classes.length;
  if (matrix.length !== k || matrix.some((row) => row.length !== k)) {
    throw new RangeError(`confusion matrix must be ${k}×${k} to match the classes`);
  }
  const title = input.title ?? "Confusion matrix";
  const values = matrix.flatMap((row, a) => row.map((count, p) => ({ actual: classes[a], predicted: classes[p], count })));
  const max = Math.max(0, ...matrix.flat());
  // Square cells: the plot is at most 400 px but cells never exceed 80 px.
  const size = Math.min(400, Math.max(120, 80 * k));
  const axisSort = [...classes];
  const table = textTable(
    ["actual \\ predicted", ...classes],
    matrix.map((row, a) => [classes[a], ...row]),
  );
  return {
    $schema: VEGA_LITE_SCHEMA,
    title,
    width: size,
    height: size,
    data: { values },
    encoding: {
      x: { field: "predicted", type: "nominal", sort: axisSort, title: "Predicted", axis: { labelAngle: 0 } },
      y: { field: "actual", type: "nominal", sort: axisSort, title: "Actual" },
    },
    layer: [
      {
        name: "cells",
        mark: { type: "rect" },
        encoding: {
          color: { field: "count", type: "quantitative", title: "Count", scale: { scheme: "blues", domainMin: 0 } },
          tooltip: [
            { field: "actual", type: "nominal", title: "Actual" },
            { field: "predicted", type: "nominal", title: "Predicted" },
            { field: "count", type: "quantitative", title: "Count" },
          ],
        },
      },
      {
        name: "counts",
        mark: { type: "text", fontSize: 13 },
        encoding: {
          text: { field: "count", type: "quantitative" },
          // Dark cells get white text so the count stays legible.
          color: { condition: { test: `datum.count > ${max / 2}`, value: "white" }, value: "black" },
        },
      },
    ],
    usermeta: { summary: summary(title, table) },
  };
}
