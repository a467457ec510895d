import { deferredToRetrain, registryOf } from "./register.js";
import type { Draft, OpDefinition, Planner, StepBase } from "./types.js";

/** `promote "name" [version N]`: makes a version the champion. */
export type PromoteStep = StepBase & { op: "promote"; name: string; version?: number };

export const planPromote: Planner<"promote", Draft<PromoteStep>> = (s) =>
  ({ op: "promote", name: s.target.name.value, version: s.target.version, label: `promote ${JSON.stringify(s.target.name.value)}${s.target.version !== undefined ? ` version ${s.target.version}` : ""}` });

export const promote: OpDefinition<PromoteStep> = {
  op: "promote",
  io: () => ({ reads: [], defines: [] }),
  cacheable: () => false,
  sideEffect: true,
  async run(ctx, step) {
    if (ctx.options.deferChampion) return deferredToRetrain(step.name);
    const { registry, runId } = registryOf(ctx, "promote");
    // After `register m as "name"` in the same run, a bare promote means the version this run
    // registered, never whatever another process registered since.
    const version = step.version ?? ctx.registryActions.registered.get(step.name);
    const c = await registry.promote(step.name, version, runId);
    ctx.registryActions.promoted.set(step.name, { version: c.version, previous: c.previous });
    return { kind: "registry", action: "promote", name: step.name, version: c.version, previous: c.previous };
  },
};
