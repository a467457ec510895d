import path from "node:path";
import { modelRefText, parseModelRef, type ModelRef } from "../../language/model-ref.js";
import { DataError } from "../errors.js";
import type { ExportForm } from "../export/export-folder.js";
import type { ModelRegistry } from "../model-registry.js";
import type { StepResult } from "../results.js";
import type { Draft, OpDefinition, Planner, Rendered, StepBase } from "./types.js";

/** `export NAME to "dir" [for container]`: writes a registered model as a self-contained folder (edge), plus what a container platform needs. */
export type ExportStep = StepBase & { op: "export"; ref: ModelRef; dir: string; form: ExportForm };

export const planExport: Planner<"export", Draft<ExportStep>> = (s, ctx) => ({
  op: "export",
  ref: parseModelRef(s.target.name.value, s.target.version),
  dir: path.resolve(ctx.baseDir, s.path.value),
  form: s.form?.text === "container" ? "container" : "edge",
  label: `export ${JSON.stringify(s.target.name.value)}${s.target.version !== undefined ? ` version ${s.target.version}` : ""} to ${JSON.stringify(s.path.value)}${s.form ? ` for ${s.form.text}` : ""}`,
});

/** Writes the export of a registered model to `dir`; shared by the op and `lathe export`. */
export async function exportModel(registry: ModelRegistry, ref: ModelRef, dir: string, form: ExportForm): Promise<Extract<StepResult, { kind: "exported" }>> {
  const { loadModel } = await import("../predict/load.js");
  const { encodeModel } = await import("../models/codec.js");
  const { exportFiles } = await import("../export/export-folder.js");
  const { writeFolder } = await import("../export/write-folder.js");
  const loaded = await loadModel(registry, ref);
  const files = await exportFiles({ ref, version: loaded.version, pkg: loaded.pkg, modelBytes: encodeModel(loaded.model), form });
  writeFolder(dir, files);
  return { kind: "exported", name: loaded.version.name, ref: modelRefText(ref), version: loaded.version.version, dir, form, files: files.size };
}

export const exportOp: OpDefinition<ExportStep> = {
  op: "export",
  io: () => ({ reads: [], defines: [] }),
  cacheable: () => false,
  // It writes outside the run with a registered model: not after a failed assert, not while reproducing.
  sideEffect: true,
  async run(ctx, step) {
    if (!ctx.options.models) throw new DataError("`export` reads the model registry of a run store, and this run has none", undefined, "no-registry");
    return exportModel(ctx.options.models, step.ref, step.dir, step.form);
  },
};

/** An export: which version went where, in which form. */
export function renderExported(r: Extract<StepResult, { kind: "exported" }>): Rendered {
  return { summary: `${r.ref} (version ${r.version}) exported ${r.form === "container" ? "for a container" : "for the edge"} to ${path.relative(process.cwd(), r.dir) || r.dir} (${r.files} files)`, parts: [] };
}
