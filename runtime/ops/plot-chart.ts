import { assertNever } from "../../language/assert-never.js";
import { chartSpec as chartSpecOf, type ChartName } from "../../language/catalog.js";
import { historyUnit } from "./train.js";
import { confusionMatrix } from "../metrics/confusion-matrix.js";
import { precisionRecallCurve } from "../metrics/pr-curve.js";
import { rocCurves } from "../metrics/roc-curve.js";
import { ident } from "../sql/quote.js";
import type { VegaLiteSpec } from "../charts/types.js";
import { DataError } from "../errors.js";
import type { StepContext } from "./types.js";

/**
 * The Vega-Lite spec of the chart a `plot` statement asks for. Each chart's builder is loaded in its
 * case: a run loads the builders of the charts it plots, not all of them with their helpers.
 */
export async function chartSpec(ex: StepContext, step: { chart: string; target: string; data?: string; columns: string[] }): Promise<VegaLiteSpec> {
  const on = step.data ? ` on ${step.data}` : "";
  if (!chartSpecOf(step.chart)) throw new DataError(`unknown chart \`${step.chart}\``, undefined, "unknown-chart");
  const chart = step.chart as ChartName;
  switch (chart) {
    case "confusion": {
      const { yTrue, yPred, state } = await ex.predictions(ex.model(step.target), step.data!);
      const keep = [...yTrue.keys()].filter((i) => yTrue[i] >= 0);
      const matrix = confusionMatrix(keep.map((i) => yTrue[i]), keep.map((i) => yPred[i]), state.classes.length);
      const { confusionMatrixChart } = await import("../charts/confusion-matrix-chart.js");
      return confusionMatrixChart({ classes: state.classes, matrix, title: `Confusion matrix: ${step.target}${on}` });
    }
    case "roc": {
      const { yTrue, proba, state } = await ex.predictions(ex.model(step.target), step.data!);
      if (!proba) throw new DataError(`\`${step.target}\` gives no probabilities, so it has no ROC curve`);
      const curves = rocCurves(yTrue, proba, state.classes.length).map((c) => ({ label: state.classes[c.label], fpr: c.fpr, tpr: c.tpr, auc: c.auc }));
      const { rocCurveChart } = await import("../charts/roc-curve-chart.js");
      return rocCurveChart({ curves, title: `ROC: ${step.target}${on}` });
    }
    case "pr": {
      const { yTrue, proba, state } = await ex.predictions(ex.model(step.target), step.data!);
      if (!proba) throw new DataError(`\`${step.target}\` gives no probabilities, so it has no precision-recall curve`);
      const k = state.classes.length;
      const labels = k === 2 ? [1] : state.classes.map((_, i) => i);
      const curves = labels.map((c) => {
        const isPositive = Uint8Array.from(yTrue, (v) => (v === c ? 1 : 0));
        const score = Float64Array.from({ length: yTrue.length }, (_, i) => proba[i * k + c]);
        const curve = precisionRecallCurve(isPositive, score);
        return { label: state.classes[c], precision: curve.precision, recall: curve.recall, baseline: isPositive.reduce((a, b) => a + b, 0) / Math.max(1, yTrue.length) };
      });
      const { prCurveChart } = await import("../charts/pr-curve-chart.js");
      return prCurveChart({ curves, title: `Precision-recall: ${step.target}${on}` });
    }
    case "importance": {
      const state = ex.model(step.target);
      const importance = state.model.importance?.();
      if (!importance) throw new DataError(`\`${step.target}\` (${state.algorithm}) does not report feature importance`);
      const { featureImportanceChart } = await import("../charts/feature-importance-chart.js");
      return featureImportanceChart({ names: state.featureColumns, importance, title: `Feature importance: ${step.target}` });
    }
    case "loss": {
      const state = ex.model(step.target);
      if (!state.model.history?.length) throw new DataError(`\`${step.target}\` (${state.algorithm}) keeps no training curve`);
      const unit = historyUnit(state.algorithm);
      const { lossCurveChart } = await import("../charts/loss-curve-chart.js");
      return lossCurveChart({ history: state.model.history, unit, title: `Training loss: ${step.target}` });
    }
    case "residuals":
    case "predicted": {
      const { yTrue, yPred, state } = await ex.predictions(ex.model(step.target), step.data!);
      const input = { actual: yTrue, predicted: yPred, target: state.target };
      if (step.chart === "residuals") return (await import("../charts/residuals-chart.js")).residualsChart({ ...input, title: `Residuals: ${step.target}${on}` });
      return (await import("../charts/predicted-vs-actual-chart.js")).predictedVsActualChart({ ...input, title: `Predicted vs actual: ${step.target}${on}` });
    }
    case "histogram": {
      const ds = ex.dataset(step.target);
      const column = step.columns[0];
      const { columns } = await ex.db.float32Columns(`SELECT CAST(${ident(column)} AS FLOAT) FROM ${ds.relation} WHERE ${ident(column)} IS NOT NULL`);
      const { histogramChart } = await import("../charts/histogram-chart.js");
      return histogramChart({ column, values: columns[0], title: `Distribution of ${column} in ${step.target}` });
    }
    case "scatter": {
      const ds = ex.dataset(step.target);
      const [x, y, color] = step.columns;
      if (!x || !y) throw new DataError("`plot scatter` needs two columns: `plot scatter of data columns x, y[, color]`");
      const { columns } = await ex.db.float32Columns(`SELECT CAST(${ident(x)} AS FLOAT), CAST(${ident(y)} AS FLOAT) FROM ${ds.relation}`);
      const colorValues = color ? await ex.db.strings(`SELECT CAST(${ident(color)} AS VARCHAR) FROM ${ds.relation}`) : undefined;
      const nanToNull = (a: Float32Array) => Array.from(a, (v) => (Number.isNaN(v) ? null : v));
      const { scatterChart } = await import("../charts/scatter-chart.js");
      return scatterChart({ x: { name: x, values: nanToNull(columns[0]) }, y: { name: y, values: nanToNull(columns[1]) }, color: color ? { name: color, values: colorValues! } : undefined, title: `${y} against ${x} in ${step.target}` });
    }
    default:
      // Every chart of the catalog is drawn here: a new one without a case does not compile.
      return assertNever(chart);
  }
}
