import { deferredToRetrain, registryOf } from "./register.js";
import type { Draft, OpDefinition, Planner, StepBase } from "./types.js";

/** `rollback "name" [to version N]`: back to the champion before, or to a given version. */
export type RollbackStep = StepBase & { op: "rollback"; name: string; version?: number };

export const planRollback: Planner<"rollback", Draft<RollbackStep>> = (s) =>
  ({ op: "rollback", name: s.name.value, version: s.version, label: `rollback ${JSON.stringify(s.name.value)}${s.version !== undefined ? ` to version ${s.version}` : ""}` });

export const rollback: OpDefinition<RollbackStep> = {
  op: "rollback",
  io: () => ({ reads: [], defines: [] }),
  cacheable: () => false,
  sideEffect: true,
  async run(ctx, step) {
    if (ctx.options.deferChampion) return deferredToRetrain(step.name);
    const { registry, runId } = registryOf(ctx, "rollback");
    // A bare rollback after this run's own promote undoes exactly that promotion, and refuses if
    // another process has changed the champion since; otherwise it returns to the champion before.
    const own = step.version === undefined ? ctx.registryActions.promoted.get(step.name) : undefined;
    const c = own ? await registry.undoPromotion(step.name, own.version, runId) : await registry.rollback(step.name, step.version, runId);
    ctx.registryActions.promoted.delete(step.name);
    return { kind: "registry", action: "rollback", name: step.name, version: c.version, previous: c.previous };
  },
};
