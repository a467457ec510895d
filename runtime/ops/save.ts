import path from "node:path";
import type { OutputTarget } from "../../language/ast.js";
import type { WriteTarget } from "../data/write.js";
import type { StepResult } from "../results.js";
import type { Draft, OpDefinition, Planner, Rendered, StepBase } from "./types.js";

/** `save DATASET to "file"` / `to table "t" in "db.duckdb"`: writes a dataset's rows (a prepare-only workflow's output). */
export type SaveStep = StepBase & { op: "save"; dataset: string; target: WriteTarget };

/** An output target with its paths resolved against the program's folder. */
export function writeTarget(o: OutputTarget, baseDir: string): WriteTarget {
  return o.kind === "file" ? { kind: "file", path: path.resolve(baseDir, o.path.value) } : { kind: "table", table: o.table.value, database: path.resolve(baseDir, o.database.value) };
}

export const planSave: Planner<"save", Draft<SaveStep>> = (s, ctx) => ({
  op: "save",
  dataset: s.data.text,
  target: writeTarget(s.output, ctx.baseDir),
  label: `save ${s.data.text}`,
});

export const save: OpDefinition<SaveStep> = {
  op: "save",
  io: (step) => ({ reads: [step.dataset], defines: [] }),
  cacheable: () => false,
  // It writes outside the run: not after a failed assert, not while a run is reproduced.
  sideEffect: true,
  async run(ctx, step) {
    const ds = ctx.dataset(step.dataset);
    const { writeRows } = await import("../data/write.js");
    const where = await writeRows(ctx.db, `SELECT * FROM ${ds.relation}`, step.target);
    return { kind: "written", what: step.dataset, rows: ds.rows, where };
  },
};

/** Rows written somewhere: how many, and where. */
export function renderWritten(r: Extract<StepResult, { kind: "written" }>): Rendered {
  return { summary: `${r.rows} rows to ${r.where}${r.model ? ` (${r.model})` : ""}${r.logged ? `; ${r.logged.rows === r.rows ? "logged" : `${r.logged.rows} logged`} for monitoring` : ""}`, parts: [] };
}
