import { stepText } from "../data/steps.js";
import type { ModelState } from "../model-state.js";
import type { StepResult } from "../results.js";

/** What `describe MODEL` shows: algorithm, task, data, options, preparation, classes, metrics, importance. */
export function describeModel(m: ModelState, measured: { data: string; metric: string; value: number }[], importance?: Float64Array): Extract<StepResult, { kind: "model-description" }> {
  const properties: { property: string; value: string }[] = [
    { property: "algorithm", value: m.algorithm + (m.model.method ? ` (${m.model.method})` : "") },
    { property: "task", value: m.task },
    { property: "target", value: m.target },
    { property: "trained on", value: `${m.trainedOn} (${m.rows} rows)` },
    ...(m.spec.validation ? [{ property: "validation", value: m.spec.validation }] : []),
    { property: "features", value: m.featureColumns.join(", ") },
    { property: "input columns", value: m.inputColumns.join(", ") },
    ...(m.classes.length ? [{ property: "classes", value: m.classes.join(", ") }] : []),
    { property: "options", value: Object.entries(m.params).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join(", ") || "(defaults)" },
    { property: "seed", value: String(m.spec.seed) },
    { property: "preparation", value: m.transform.map(stepText).join("; ") || "(none)" },
    ...(m.backend ? [{ property: "engine", value: m.backend }] : []),
  ];
  const rank = importance ? [...importance.keys()].sort((a, b) => importance[b] - importance[a]) : undefined;
  return {
    kind: "model-description",
    name: m.name,
    algorithm: m.algorithm,
    task: m.task,
    target: m.target,
    trainedOn: m.trainedOn,
    rows: m.rows,
    features: m.featureColumns,
    properties,
    metrics: measured,
    importance: rank?.map((j) => ({ feature: m.featureColumns[j], importance: importance![j] })),
  };
}
