import path from "node:path";
import { modelRefText, parseModelRef, type ModelRef } from "../../language/model-ref.js";
import { DataError } from "../errors.js";
import type { StepResult } from "../results.js";
import { defaultServePort, writeServingSpec, type ServingSpec } from "../serve/serving-spec.js";
import type { Draft, OpDefinition, Planner, Rendered, StepBase } from "./types.js";

/** `serve "name" [version N] [port P]`: records how a registered model is served, and serves it where the host starts servers. */
export type ServeStep = StepBase & { op: "serve"; ref: ModelRef; port: number };

export const planServe: Planner<"serve", Draft<ServeStep>> = (s) => ({
  op: "serve",
  ref: parseModelRef(s.target.name.value, s.target.version),
  port: s.port ?? defaultServePort,
  label: `serve ${JSON.stringify(s.target.name.value)}${s.target.version !== undefined ? ` version ${s.target.version}` : ""}${s.port !== undefined ? ` port ${s.port}` : ""}`,
});

export const serve: OpDefinition<ServeStep> = {
  op: "serve",
  io: () => ({ reads: [], defines: [] }),
  cacheable: () => false,
  // A deployment: not after a failed assert, not while a run is reproduced.
  sideEffect: true,
  async run(ctx, step) {
    const host = ctx.options.serving;
    if (!host) throw new DataError("`serve` records how a model is served in the run store, and this run has none", undefined, "no-store");
    const { resolveVersion } = await import("../predict/load.js");
    // A name, alias or version the registry does not have is an error now, not when a server starts.
    const resolved = await resolveVersion(host.registry, step.ref);
    const spec: ServingSpec = {
      format: "lathe-serving-spec",
      name: step.ref.name,
      ...(step.ref.alias !== undefined ? { alias: step.ref.alias } : {}),
      ...(step.ref.version !== undefined ? { version: step.ref.version } : {}),
      port: step.port,
      recordedAt: new Date().toISOString(),
      ...(ctx.options.registry ? { runId: ctx.options.registry.runId } : {}),
    };
    const file = writeServingSpec(host.root, spec);
    const result = { kind: "serving" as const, name: step.ref.name, ref: modelRefText(step.ref), version: resolved.version, port: step.port, spec: file };
    if (host.start) {
      const started = await host.start(spec);
      return { ...result, version: started.version, url: started.url };
    }
    return { ...result, later: host.later ?? `start it with \`lathe serve ${step.ref.name}\`, or run the program with --serve` };
  },
};

/** A serving spec: where the model is served, or where the spec was recorded and how to start it. */
export function renderServing(r: Extract<StepResult, { kind: "serving" }>): Rendered {
  if (r.url) return { summary: `serving ${r.ref} (version ${r.version}) at ${r.url}`, parts: [] };
  return { summary: `${r.ref} (now version ${r.version}) to be served on port ${r.port}, recorded in ${path.relative(process.cwd(), r.spec) || r.spec}: ${r.later}`, parts: [] };
}
