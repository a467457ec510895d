/**
 * What the language knows about each metric name: the checker uses it to reject
 * a metric on the wrong task and to suggest a close name; the tuner and gates
 * use `higherIsBetter` to pick a direction.
 */

export type MetricTask = "classification" | "regression";

export interface MetricInfo {
  task: MetricTask;
  higherIsBetter: boolean;
  /** True when the metric needs class probabilities, not just predicted classes. */
  needsProba: boolean;
  doc: string;
}

export const metricInfo: Record<string, MetricInfo> = {
  accuracy: { task: "classification", higherIsBetter: true, needsProba: false, doc: "Fraction of rows whose predicted class is the actual class." },
  precision: { task: "classification", higherIsBetter: true, needsProba: false, doc: "Precision of the second (positive) class when there are two classes; macro average over classes otherwise." },
  recall: { task: "classification", higherIsBetter: true, needsProba: false, doc: "Recall of the second (positive) class when there are two classes; macro average over classes otherwise." },
  f1: { task: "classification", higherIsBetter: true, needsProba: false, doc: "F1 of the second (positive) class when there are two classes; macro average over classes otherwise." },
  precision_macro: { task: "classification", higherIsBetter: true, needsProba: false, doc: "Unweighted mean of per-class precision." },
  recall_macro: { task: "classification", higherIsBetter: true, needsProba: false, doc: "Unweighted mean of per-class recall." },
  f1_macro: { task: "classification", higherIsBetter: true, needsProba: false, doc: "Unweighted mean of per-class F1." },
  precision_weighted: { task: "classification", higherIsBetter: true, needsProba: false, doc: "Per-class precision averaged with weights proportional to class frequency." },
  recall_weighted: { task: "classification", higherIsBetter: true, needsProba: false, doc: "Per-class recall averaged with weights proportional to class frequency." },
  f1_weighted: { task: "classification", higherIsBetter: true, needsProba: false, doc: "Per-class F1 averaged with weights proportional to class frequency." },
  roc_auc: { task: "classification", higherIsBetter: true, needsProba: true, doc: "Area under the ROC curve; one-vs-rest macro average for more than two classes." },
  log_loss: { task: "classification", higherIsBetter: false, needsProba: true, doc: "Mean cross-entropy of the predicted class probabilities." },
  mse: { task: "regression", higherIsBetter: false, needsProba: false, doc: "Mean squared error." },
  rmse: { task: "regression", higherIsBetter: false, needsProba: false, doc: "Root mean squared error, in the target's units." },
  mae: { task: "regression", higherIsBetter: false, needsProba: false, doc: "Mean absolute error, in the target's units." },
  r2: { task: "regression", higherIsBetter: true, needsProba: false, doc: "Coefficient of determination: 1 is perfect, 0 is as good as predicting the mean." },
};

/** The known metric names for a task, in declaration order. */
export function metricNames(task?: MetricTask): string[] {
  return Object.keys(metricInfo).filter((name) => task === undefined || metricInfo[name].task === task);
}

/** The closest known metric name within edit distance 2, for "did you mean" messages. */
export function suggestMetric(name: string, task?: MetricTask): string | undefined {
  const wanted = name.toLowerCase();
  let best: string | undefined;
  let bestKey = [3, 0];
  for (const candidate of metricNames(task)) {
    // Ties go to the candidate whose length is closest, so "rsme" suggests "rmse" rather than "mse".
    const key = [editDistance(wanted, candidate), Math.abs(candidate.length - wanted.length)];
    if (key[0] < bestKey[0] || (key[0] === bestKey[0] && best !== undefined && key[1] < bestKey[1])) {
      best = candidate;
      bestKey = key;
    }
  }
  return best;
}

/** Optimal-string-alignment distance: a swap of two adjacent letters is one typo, not two. */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}
