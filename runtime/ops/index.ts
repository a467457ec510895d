import type { StatementKind } from "../../language/ast.js";
import type { StepResult } from "../results.js";
import { assertOp, planAssert, renderAssert, type AssertStep } from "./assert.js";
import { deploy, planDeploy, type DeployStep } from "./deploy.js";
import { describe, planDescribe, renderDescribe, renderModelDescription, type DescribeStep } from "./describe.js";
import { evaluate, planEvaluate, renderMetrics, type EvaluateStep } from "./evaluate.js";
import { exportOp, planExport, renderExported, type ExportStep } from "./export.js";
import { load, planLoad, renderDataset, type LoadStep } from "./load.js";
import { monitor, planMonitor, renderMonitor, type MonitorStep } from "./monitor.js";
import { pending, planPending, renderNotice, type PendingStep } from "./pending.js";
import { planPlot, plot, renderChart, type PlotStep } from "./plot.js";
import { planPrepare, prepare, type PrepareOpStep } from "./prepare.js";
import { planPromote, promote, type PromoteStep } from "./promote.js";
import { planRegister, register, renderRegistry, type RegisterStep } from "./register.js";
import { planRetrain, retrain, type RetrainStep } from "./retrain.js";
import { planRollback, rollback, type RollbackStep } from "./rollback.js";
import { planSave, renderWritten, save, type SaveStep } from "./save.js";
import { planServe, renderServing, serve, type ServeStep } from "./serve.js";
import { planShow, renderTable, show, type ShowStep } from "./show.js";
import { planSplit, renderSplit, split, type SplitStep } from "./split.js";
import { planTrain, renderModel, train, type TrainStep } from "./train.js";
import { planTune, renderTune, tune, type TuneStep } from "./tune.js";
import type { Draft, OpDefinition, Planner, Rendered } from "./types.js";

/**
 * The ops registry: every kind of plan step, one module each under `runtime/ops/`. The three tables
 * below are exhaustive by type: a statement kind without a planner, a step without an op or a
 * result kind without a renderer does not compile.
 */

/** Every plan step, by op. */
export type PlanStep = LoadStep | PrepareOpStep | SplitStep | TrainStep | TuneStep | EvaluateStep | AssertStep | PlotStep | ShowStep | DescribeStep | RegisterStep | PromoteStep | RollbackStep | SaveStep | DeployStep | ServeStep | ExportStep | MonitorStep | RetrainStep | PendingStep;
export type PlanOp = PlanStep["op"];
export type StepOf<O extends PlanOp> = Extract<PlanStep, { op: O }>;

/** Step kind → its op. */
export const ops: { [O in PlanOp]: OpDefinition<StepOf<O>> } = {
  load,
  prepare,
  split,
  train,
  tune,
  evaluate,
  assert: assertOp,
  plot,
  show,
  describe,
  register,
  promote,
  rollback,
  save,
  deploy,
  serve,
  export: exportOp,
  monitor,
  retrain,
  pending,
};

/** Statement kind → how it is planned (`param` becomes no step: the checker already resolved params). */
export const planners: { [K in StatementKind]: Planner<K, Draft<PlanStep>> } = {
  param: () => undefined,
  source: planLoad,
  prepare: planPrepare,
  split: planSplit,
  model: planTrain,
  tune: planTune,
  evaluate: planEvaluate,
  assert: planAssert,
  plot: planPlot,
  show: planShow,
  describe: planDescribe,
  register: planRegister,
  promote: planPromote,
  rollback: planRollback,
  deploy: planDeploy,
  save: planSave,
  serve: planServe,
  export: planExport,
  monitor: planMonitor,
  retrain: planRetrain,
};

/** The op of a step. */
export function opOf(step: PlanStep): OpDefinition<PlanStep> {
  return ops[step.op];
}

/** Whether a plan's every step is DuckDB's work alone (`OpDefinition.duckdbAlone`). */
export function duckdbAlone(steps: readonly PlanStep[]): boolean {
  return steps.every((s) => opOf(s).duckdbAlone === true);
}

/** Result kind → how it shows, the same on every surface. */
const renderers: { [K in StepResult["kind"]]: (r: Extract<StepResult, { kind: K }>) => Rendered } = {
  dataset: renderDataset,
  split: renderSplit,
  model: renderModel,
  metrics: renderMetrics,
  assert: renderAssert,
  chart: renderChart,
  table: renderTable,
  tune: renderTune,
  notice: renderNotice,
  written: renderWritten,
  registry: renderRegistry,
  serving: renderServing,
  exported: renderExported,
  monitor: renderMonitor,
  describe: renderDescribe,
  "model-description": renderModelDescription,
};

/** How a result shows: a summary line (marked when its outputs were reused, and from which run) and its parts. */
export function renderResult(r: StepResult): Rendered {
  const rendered = (renderers[r.kind] as (r: StepResult) => Rendered)(r);
  if (!r.reused) return rendered;
  const from = r.reusedFrom === undefined ? "unchanged, reused" : r.reusedFrom ? `reused from run ${r.reusedFrom}` : "reused from the step cache";
  return { ...rendered, summary: `${rendered.summary} (${from})` };
}

/** Statement kinds the language checks but no op executes yet (their planner is `planPending`). */
export function pendingStatementKinds(): StatementKind[] {
  return (Object.keys(planners) as StatementKind[]).filter((k) => planners[k] === planPending);
}
