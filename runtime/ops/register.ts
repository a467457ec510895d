import { DataError } from "../errors.js";
import type { StepResult } from "../results.js";
import type { Draft, OpDefinition, Planner, Rendered, StepBase, StepContext } from "./types.js";

/** `register MODEL as "name"`: the next version of a registered name (model file, run, metrics). */
export type RegisterStep = StepBase & { op: "register"; model: string; name: string };

export const planRegister: Planner<"register", Draft<RegisterStep>> = (s) => ({ op: "register", model: s.model.text, name: s.as.value, label: `register ${s.model.text} as ${JSON.stringify(s.as.value)}` });

/** The registry of a recorded run, or a clear error for a run that is not recorded. */
export function registryOf(ctx: StepContext, statement: string) {
  const r = ctx.options.registry;
  if (!r || !ctx.options.store) throw new DataError(`\`${statement}\` writes to the model registry, which needs a recorded run (this one was started with --no-record)`, undefined, "not-recorded");
  return r;
}

/** What `promote` and `rollback` do in a retrain's run: nothing, said as a notice (the retrain decides the champion after the run). */
export function deferredToRetrain(name: string): StepResult {
  return { kind: "notice", message: `deferred to the retrain decision: the champion of ${JSON.stringify(name)} changes only if the retrained version beats it on the holdout and every assert passed` };
}

export const register: OpDefinition<RegisterStep> = {
  op: "register",
  io: (step) => ({ reads: [step.model], defines: [] }),
  cacheable: () => false,
  sideEffect: true,
  changesRegistry: true,
  async run(ctx, step) {
    const { registry, runId } = registryOf(ctx, "register");
    const state = ctx.model(step.model);
    const artifact = (await ctx.putModel(state))!;
    const metrics = ctx.measured.get(step.model) ?? [];
    // The monitor's reference, built before the version exists so a failure leaves no version without one.
    const { buildModelReference } = await import("../monitor/model-reference.js");
    // Raw training rows that stay on an engine come back for it: the model's input columns only.
    const { withLocalRaw } = await import("../data/engine-dataset.js");
    const local = await withLocalRaw(ctx, ctx.dataset(state.trainedOn), state.types.input.map((c) => c.name));
    const reference = await buildModelReference(ctx.db, state, local.data, { name: step.name, version: 0, metrics }).finally(local.drop);
    const v = await registry.register({ name: step.name, runId, model: step.model, algorithm: state.algorithm, task: state.task, artifact, metrics });
    registry.writeReference(step.name, v.version, { ...reference, version: v.version });
    ctx.registryActions.registered.set(step.name, v.version);
    return { kind: "registry", action: "register", name: step.name, version: v.version, model: step.model };
  },
};

/** A registry change: the version registered, or what the champion (or another alias) names now and before. */
export function renderRegistry(r: Extract<StepResult, { kind: "registry" }>): Rendered {
  if (r.action === "register") return { summary: `${JSON.stringify(r.name)} version ${r.version}`, parts: [] };
  return { summary: `${r.alias ? `${JSON.stringify(`${r.name}@${r.alias}`)} names` : `champion of ${JSON.stringify(r.name)} is`} version ${r.version}${r.previous === undefined ? " (none before)" : r.previous === r.version ? " (it already was)" : ` (was ${r.previous})`}`, parts: [] };
}
