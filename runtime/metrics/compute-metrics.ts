import { accuracy } from "./accuracy.js";
import { logLoss } from "./log-loss.js";
import { metricInfo, suggestMetric, type MetricTask } from "./metric-info.js";
import { precisionRecallF1, type Average, type PrecisionRecallF1 } from "./precision-recall-f1.js";
import { mae, mse, r2, rmse } from "./regression-metrics.js";
import { rocAuc } from "./roc-auc.js";

export interface MetricsInput {
  task: MetricTask;
  /** Class index per row (classification) or target value (regression). */
  yTrue: Float32Array;
  /** Predicted class index or predicted value, one per row. */
  yPred: Float32Array;
  /** Row-major n×k class probabilities; required by roc_auc and log_loss. */
  proba?: Float32Array;
  /** Class labels in index order; empty for regression. */
  classes: string[];
}

/**
 * Computes the named language metrics in one pass of the executor. Throws on an
 * unknown name (with a suggestion), a metric of the other task, or a missing
 * `proba` for a probability metric, so a typo never yields a silent NaN.
 */
export function computeMetrics(names: string[], input: MetricsInput): Record<string, number> {
  const { task, yTrue, yPred, proba, classes } = input;
  const k = classes.length;
  for (const name of names) {
    const info = metricInfo[name];
    if (!info) {
      const hint = suggestMetric(name, task);
      throw new Error(`unknown metric "${name}"${hint ? `; did you mean "${hint}"?` : ""}`);
    }
    if (info.task !== task) throw new Error(`metric "${name}" applies to ${info.task}, not ${task}`);
    if (info.needsProba && !proba) throw new Error(`metric "${name}" needs class probabilities, which this model does not provide`);
  }

  // precision/recall/f1 of one averaging share their counts, so compute each averaging once.
  const prf = new Map<Average, PrecisionRecallF1>();
  const scores = (average: Average): PrecisionRecallF1 => {
    let s = prf.get(average);
    if (!s) prf.set(average, (s = precisionRecallF1(yTrue, yPred, k, average)));
    return s;
  };
  const defaultAverage: Average = k === 2 ? "binary" : "macro";

  const out: Record<string, number> = {};
  for (const name of names) {
    out[name] = compute(name);
  }
  return out;

  function compute(name: string): number {
    switch (name) {
      case "accuracy": return accuracy(yTrue, yPred);
      case "precision": return scores(defaultAverage).precision;
      case "recall": return scores(defaultAverage).recall;
      case "f1": return scores(defaultAverage).f1;
      case "precision_macro": return scores("macro").precision;
      case "recall_macro": return scores("macro").recall;
      case "f1_macro": return scores("macro").f1;
      case "precision_weighted": return scores("weighted").precision;
      case "recall_weighted": return scores("weighted").recall;
      case "f1_weighted": return scores("weighted").f1;
      case "roc_auc": return rocAuc(yTrue, proba!, k);
      case "log_loss": return logLoss(yTrue, proba!, k);
      case "mse": return mse(yTrue, yPred);
      case "rmse": return rmse(yTrue, yPred);
      case "mae": return mae(yTrue, yPred);
      case "r2": return r2(yTrue, yPred);
      default: throw new Error(`metric "${name}" has no implementation`);
    }
  }
}
