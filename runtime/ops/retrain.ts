import path from "node:path";
import { defaultAlias, parseModelRef } from "../../language/model-ref.js";
import { DataError } from "../errors.js";
import { conditionOf, scheduleOf, writeRetrainSpec, type RetrainCondition, type RetrainSchedule, type RetrainSpec } from "../retrain/retrain-spec.js";
import type { Draft, OpDefinition, Planner, StepBase } from "./types.js";

/**
 * `retrain "name" every week or when drift > 0.25`: records how the registered model is retrained
 * (`.lathe/retrain/<name>.json`), for `lathe watch` and `lathe retrain NAME --now`. Nothing is
 * retrained during the run itself.
 */
export type RetrainStep = StepBase & { op: "retrain"; name: string; alias?: string; schedule?: RetrainSchedule; conditions: RetrainCondition[]; text: string };

export const planRetrain: Planner<"retrain", Draft<RetrainStep>> = (s) => {
  const sched = s.triggers.find((t) => t.kind === "schedule");
  const schedule = sched?.kind === "schedule" ? scheduleOf(sched.count, sched.unit.text) : undefined;
  const conditions = s.triggers.flatMap((t) => (t.kind === "condition" ? [conditionOf(t.threshold)] : []));
  const text = [...(schedule ? [schedule.text] : []), ...conditions.map((c) => `when ${c.text}`)].join(" or ");
  const ref = parseModelRef(s.target.name.value);
  const alias = ref.alias !== undefined && ref.alias !== defaultAlias ? { alias: ref.alias } : {};
  return { op: "retrain", name: ref.name, ...alias, ...(schedule ? { schedule } : {}), conditions, text, label: `retrain ${JSON.stringify(s.target.name.value)} ${text}` };
};

export const retrain: OpDefinition<RetrainStep> = {
  op: "retrain",
  io: () => ({ reads: [], defines: [] }),
  cacheable: () => false,
  // It changes what `lathe watch` does: not after a failed assert, not while a run is reproduced.
  sideEffect: true,
  async run(ctx, step) {
    const root = ctx.options.storeRoot;
    if (!root) throw new DataError("`retrain` records how a model is retrained in the run store, which needs a recorded run (this one was started with --no-record)", undefined, "no-store");
    const registered = ctx.registryActions.registered.has(step.name) || ((await ctx.options.models?.versions(step.name)) ?? []).length > 0;
    if (!registered) throw new DataError(`no model is registered as ${JSON.stringify(step.name)}: register one (\`register MODEL as ${JSON.stringify(step.name)}\`) before saying how it is retrained`, undefined, "unknown-model-name");
    const spec: RetrainSpec = {
      format: "lathe-retrain-spec",
      name: step.name,
      ...(step.alias ? { alias: step.alias } : {}),
      ...(step.schedule ? { schedule: step.schedule } : {}),
      conditions: step.conditions,
      text: step.text,
      ...(ctx.options.runId ? { runId: ctx.options.runId } : {}),
      recordedAt: new Date().toISOString(),
    };
    const file = writeRetrainSpec(root, spec);
    return { kind: "notice", message: `${JSON.stringify(step.name)} retrained ${step.text}: recorded in ${path.relative(process.cwd(), file) || file}; \`lathe watch\` carries it out, \`lathe retrain ${JSON.stringify(step.name)} --now\` retrains once` };
  },
};
