import { defaultAlias, parseModelRef } from "../../language/model-ref.js";
import { promotionKey } from "./promote.js";
import { deferredToRetrain, registryOf } from "./register.js";
import type { Draft, OpDefinition, Planner, StepBase } from "./types.js";

/** `rollback "name[@alias]" [to version N]`: an alias (the champion by default) back to the version it named before, or to a given version. */
export type RollbackStep = StepBase & { op: "rollback"; name: string; alias?: string; version?: number };

export const planRollback: Planner<"rollback", Draft<RollbackStep>> = (s) => {
  const ref = parseModelRef(s.name.value);
  return {
    op: "rollback",
    name: ref.name,
    ...(ref.alias !== undefined && ref.alias !== defaultAlias ? { alias: ref.alias } : {}),
    version: s.version,
    label: `rollback ${JSON.stringify(s.name.value)}${s.version !== undefined ? ` to version ${s.version}` : ""}`,
  };
};

export const rollback: OpDefinition<RollbackStep> = {
  op: "rollback",
  io: () => ({ reads: [], defines: [] }),
  cacheable: () => false,
  sideEffect: true,
  changesRegistry: true,
  async run(ctx, step) {
    if (ctx.options.deferChampion) return deferredToRetrain(step.name);
    const { registry, runId } = registryOf(ctx, "rollback");
    // A bare rollback after this run's own promote (of the same alias) undoes exactly that
    // promotion, and refuses if another process has moved the alias since; otherwise it returns
    // the alias to the version it named before.
    const key = promotionKey(step.name, step.alias);
    const own = step.version === undefined ? ctx.registryActions.promoted.get(key) : undefined;
    const how = { alias: step.alias, reason: own ? "undoes this run's own promotion" : step.version !== undefined ? `back to version ${step.version}` : undefined };
    const c = own ? await registry.undoPromotion(step.name, own.version, runId, how) : await registry.rollback(step.name, step.version, runId, how);
    ctx.registryActions.promoted.delete(key);
    return { kind: "registry", action: "rollback", name: step.name, version: c.version, previous: c.previous, ...(step.alias ? { alias: step.alias } : {}) };
  },
};
