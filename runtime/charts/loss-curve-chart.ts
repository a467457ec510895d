import { integerAxis } from "./integer-axis.js";
import { summary, textTable } from "./text-table.js";
import { CHART_HEIGHT, CHART_WIDTH, VEGA_LITE_SCHEMA, type VegaLiteSpec } from "./types.js";

export interface LossPoint {
  step: number;
  loss: number;
  valLoss?: number;
}

export interface LossChartInput {
  /** Training history, e.g. a trained model's `history`. */
  history: LossPoint[];
  /** What a step is: "epoch" (default), "tree", "iteration". */
  unit?: string;
  title?: string;
}

/** Training and validation loss per step as two lines. */
export function lossCurveChart(input: LossChartInput): VegaLiteSpec {
  const unit = input.unit ?? "epoch";
  const title = input.title ?? "Loss";
  const values: Array<{ step: number; series: string; loss: number }> = [];
  for (const p of input.history) {
    values.push({ step: p.step, series: "train", loss: p.loss });
    if (p.valLoss !== undefined) values.push({ step: p.step, series: "validation", loss: p.valLoss });
  }
  const hasValidation = input.history.some((p) => p.valLoss !== undefined);
  const table = textTable(
    hasValidation ? [unit, "train", "validation"] : [unit, "train"],
    input.history.map((p) => (hasValidation ? [p.step, p.loss, p.valLoss ?? null] : [p.step, p.loss])),
  );
  return {
    $schema: VEGA_LITE_SCHEMA,
    title,
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
    data: { values },
    mark: { type: "line", point: input.history.length <= 50 },
    encoding: {
      x: { field: "step", type: "quantitative", title: unit[0].toUpperCase() + unit.slice(1), axis: integerAxis(input.history.map((p) => p.step)) },
      y: { field: "loss", type: "quantitative", title: "Loss", scale: { zero: false } },
      color: { field: "series", type: "nominal", title: null, sort: ["train", "validation"] },
      tooltip: [
        { field: "series", type: "nominal" },
        { field: "step", type: "quantitative", title: unit },
        { field: "loss", type: "quantitative", format: ".4f" },
      ],
    },
    usermeta: { summary: summary(title, table) },
  };
}
