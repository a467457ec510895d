import { confusionMatrixChart } from "./charts/confusion-matrix-chart.js";
import { renderBundle } from "./charts/render-bundle.js";
import { rocCurveChart } from "./charts/roc-curve-chart.js";
import type { VegaLiteSpec } from "./charts/types.js";
import { DataError } from "./data/source.js";
import type { Executor } from "./execute.js";
import { confusionMatrix } from "./metrics/confusion-matrix.js";
import { rocCurves } from "./metrics/roc-curve.js";
import type { PlanStep } from "./plan.js";
import type { StepResult } from "./results.js";

/** Builds the chart a `plot` statement asks for and renders its display bundle. */
export async function plotStep(ex: Executor, step: Extract<PlanStep, { op: "plot" }>): Promise<Extract<StepResult, { kind: "chart" }>> {
  const spec = await chartSpec(ex, step);
  const bundle = await renderBundle(spec);
  const title = typeof spec.title === "string" ? spec.title : step.chart;
  return { kind: "chart", chart: step.chart, title, bundle, files: [] };
}

async function chartSpec(ex: Executor, step: Extract<PlanStep, { op: "plot" }>): Promise<VegaLiteSpec> {
  switch (step.chart) {
    case "confusion": {
      const { yTrue, yPred, state } = await ex.predictions(step.target, step.data!);
      const k = state.classes.length;
      const keep = [...yTrue.keys()].filter((i) => yTrue[i] >= 0);
      const matrix = confusionMatrix(keep.map((i) => yTrue[i]), keep.map((i) => yPred[i]), k);
      return confusionMatrixChart({ classes: state.classes, matrix, title: `Confusion matrix: ${step.target} on ${step.data}` });
    }
    case "roc": {
      const { yTrue, proba, state } = await ex.predictions(step.target, step.data!);
      if (!proba) throw new DataError(`\`${step.target}\` gives no probabilities, so it has no ROC curve`);
      const curves = rocCurves(yTrue, proba, state.classes.length).map((c) => ({ label: state.classes[c.label], fpr: c.fpr, tpr: c.tpr, auc: c.auc }));
      return rocCurveChart({ curves, title: `ROC: ${step.target} on ${step.data}` });
    }
    default:
      throw new DataError(`plot ${step.chart} is not available yet`);
  }
}
