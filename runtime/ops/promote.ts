import { defaultAlias, parseModelRef } from "../../language/model-ref.js";
import { valueText as fmt } from "../results.js";
import { deferredToRetrain, registryOf } from "./register.js";
import type { Draft, OpDefinition, Planner, RegistryActions, StepBase } from "./types.js";

/**
 * `promote "name[@from]" [version N] [to ALIAS]`: points an alias (the champion by default) at a
 * version: the one given, the one `@from` names now, or else the one this run registered (the
 * latest when it registered none).
 */
export type PromoteStep = StepBase & { op: "promote"; name: string; version?: number; from?: string; alias?: string };

export const planPromote: Planner<"promote", Draft<PromoteStep>> = (s) => {
  const ref = parseModelRef(s.target.name.value, s.target.version);
  const alias = s.alias?.text;
  return {
    op: "promote",
    name: ref.name,
    ...(ref.version !== undefined ? { version: ref.version } : {}),
    ...(ref.alias !== undefined ? { from: ref.alias } : {}),
    ...(alias !== undefined && alias !== defaultAlias ? { alias } : {}),
    label: `promote ${JSON.stringify(s.target.name.value)}${ref.version !== undefined ? ` version ${ref.version}` : ""}${alias !== undefined ? ` to ${alias}` : ""}`,
  };
};

/** Where a run keeps its own promotion of an alias of a name, so a later `rollback` in it undoes exactly that. */
export function promotionKey(name: string, alias = defaultAlias): string {
  return `${name}@${alias}`;
}

/** Why a program's promotion happened: the asserts that passed before it (every one did, or it would not run). */
export function promotionReason(actions: RegistryActions): string {
  if (!actions.asserts.length) return "no assert before it in the run";
  return `asserts passed: ${actions.asserts.map((a) => `${a.model} on ${a.data}: ${a.checks.map((c) => `${c.metric} = ${fmt(c.value)} (${c.op} ${c.bound})`).join(", ")}`).join("; ")}`;
}

export const promote: OpDefinition<PromoteStep> = {
  op: "promote",
  io: () => ({ reads: [], defines: [] }),
  cacheable: () => false,
  sideEffect: true,
  changesRegistry: true,
  async run(ctx, step) {
    if (ctx.options.deferChampion) return deferredToRetrain(step.name);
    const { registry, runId } = registryOf(ctx, "promote");
    // After `register m as "name"` in the same run, a bare promote means the version this run
    // registered, never whatever another process registered since.
    let version = step.version ?? (step.from === undefined ? ctx.registryActions.registered.get(step.name) : undefined);
    if (step.from !== undefined && step.from !== "latest") {
      const { resolveVersion } = await import("../predict/load.js");
      version = (await resolveVersion(registry, { name: step.name, alias: step.from })).version;
    }
    const c = await registry.promote(step.name, version, runId, { alias: step.alias, reason: promotionReason(ctx.registryActions) });
    ctx.registryActions.promoted.set(promotionKey(step.name, step.alias), { version: c.version, previous: c.previous });
    return { kind: "registry", action: "promote", name: step.name, version: c.version, previous: c.previous, ...(step.alias ? { alias: step.alias } : {}) };
  },
};
