/**
 * Evaluation metrics on typed arrays, matching scikit-learn's definitions.
 * The executor calls `computeMetrics`; charts use the curve and matrix helpers.
 */
export { accuracy } from "./accuracy.js";
export { binaryCounts, trapezoid, type BinaryCounts } from "./binary-curve.js";
export { toClassIndices } from "./class-labels.js";
export { computeMetrics, type MetricsInput } from "./compute-metrics.js";
export { confusionMatrix } from "./confusion-matrix.js";
export { logLoss } from "./log-loss.js";
export { metricInfo, metricNames, suggestMetric, type MetricInfo, type MetricTask } from "./metric-info.js";
export { precisionRecallCurve, type PrCurve } from "./pr-curve.js";
export {
  perClassPrecisionRecallF1,
  precisionRecallF1,
  type Average,
  type PerClassScores,
  type PrecisionRecallF1,
} from "./precision-recall-f1.js";
export { mae, mse, r2, rmse } from "./regression-metrics.js";
export { binaryRocAuc, rocAuc } from "./roc-auc.js";
export { rocCurve, rocCurves, type ClassRocCurve, type RocCurve } from "./roc-curve.js";
