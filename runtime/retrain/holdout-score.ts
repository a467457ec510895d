import { defaultMetrics } from "../../language/catalog.js";
import { chainSql } from "../data/chain.js";
import { partSql, splitSql } from "../data/split.js";
import { DataError } from "../errors.js";
import type { Executor } from "../execute.js";
import { metricInfo } from "../metrics/metric-info.js";
import type { ModelState } from "../model-state.js";
import type { ModelVersion } from "../model-registry.js";
import type { PlanStep } from "../ops/index.js";
import { byColumnSql } from "../ops/split.js";
import type { Plan } from "../plan.js";
import { columnSteps } from "../transform.js";

/** Which rows and which metric a retrain compares by. */
export interface Yardstick {
  /** The challenger run's dataset: the one its last `assert` on the model used, else its last `evaluate`, else the held-out part of the model's split. */
  data: string;
  metric: string;
  higherIsBetter: boolean;
}

/**
 * The champion's yardstick in the challenger's run (the same program, so the same statements):
 * the data and first metric of the last `assert` on the model, else of its last `evaluate`; with
 * neither, the part of the split it was trained from named `test` (else the last part that is not
 * its training part), by accuracy (classification) or rmse (regression).
 */
export function yardstick(plan: Plan, model: string, task: "classification" | "regression"): Yardstick {
  const of = (data: string, metric: string): Yardstick => ({ data, metric, higherIsBetter: metricInfo[metric]?.higherIsBetter ?? true });
  const assert = plan.steps.findLast((s): s is Extract<PlanStep, { op: "assert" }> => s.op === "assert" && s.model === model);
  if (assert?.conditions.length) return of(assert.data, assert.conditions[0].metric);
  const evaluate = plan.steps.findLast((s): s is Extract<PlanStep, { op: "evaluate" }> => s.op === "evaluate" && s.model === model);
  if (evaluate?.metrics.length) return of(evaluate.data, evaluate.metrics[0]);
  const train = plan.steps.findLast((s): s is Extract<PlanStep, { op: "train" }> => s.op === "train" && s.model === model);
  const split = train && plan.steps.find((s): s is Extract<PlanStep, { op: "split" }> => s.op === "split" && s.parts.some((p) => p.name === train.input));
  const held = split && (split.parts.find((p) => p.name === "test" && p.name !== train.input) ?? split.parts.findLast((p) => p.name !== train.input));
  if (!held) throw new DataError(`the program that trained \`${model}\` has no \`assert\` or \`evaluate\` on it and no held-out part of a split, so there is nothing to compare a retrained model on`, undefined, "no-holdout");
  return of(held.name, defaultMetrics[task][0]);
}

/**
 * Scores registered versions on the yardstick's rows in a session that has just run the program:
 * each applies its own preparation. A part of a split whose preparation learns constants is taken
 * as it was before those steps (the split's rows of that part, before the steps fitted on the
 * training part), so a champion, whose constants were learned on older data, is scored on the same
 * rows as the challenger rather than refused.
 */
export async function scoreOnHoldout(executor: Executor, plan: Plan, by: Yardstick, states: ModelState[]): Promise<number[]> {
  const data = await holdoutRows(executor, plan, by.data);
  const out: number[] = [];
  for (const state of states) out.push((await executor.score(state, data, [by.metric]))[by.metric]);
  return out;
}

const holdoutName = "__lathe_retrain_holdout";

async function holdoutRows(executor: Executor, plan: Plan, data: string): Promise<string> {
  const split = plan.steps.findLast((s): s is Extract<PlanStep, { op: "split" }> => s.op === "split" && s.parts.some((p) => p.name === data));
  if (!split || !split.post.length) return data;
  const root = executor.dataset(split.root);
  if (!root.transform) return data;
  const preApplied = split.pre.map((s) => ({ step: s }));
  const pre = chainSql(root.relation, preApplied, root.columns);
  const assigned = `(${split.column ? byColumnSql(`(${pre.sql})`, split.column) : splitSql(`(${pre.sql})`, await executor.db.describe(pre.sql), split)})`;
  const rows = chainSql(partSql(assigned, data, split), [], pre.columns);
  await executor.materialise(holdoutName, rows.sql, { expansions: root.expansions, transform: [...root.transform, ...columnSteps(preApplied)], rawTypes: root.rawTypes });
  return holdoutName;
}

/** A registered version's model file as a model state the executor can score. */
export async function versionState(version: ModelVersion): Promise<ModelState> {
  const { loadModelFile } = await import("../predict/load.js");
  const { pkg, model } = await loadModelFile(version.artifact);
  return {
    name: `${version.name} version ${version.version}`,
    algorithm: pkg.algorithm,
    task: pkg.task,
    target: pkg.target,
    features: pkg.features,
    featureColumns: pkg.featureColumns,
    classes: pkg.classes,
    model: model as ModelState["model"],
    transform: pkg.transform,
    inputColumns: pkg.input.columns.map((c) => c.name),
    types: { input: pkg.input.columns, steps: pkg.transformTypes },
    trainedOn: version.model,
    spec: undefined as unknown as ModelState["spec"],
    params: pkg.params as ModelState["params"],
    rows: 0,
  };
}
