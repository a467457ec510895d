import path from "node:path";
import type { OutputTarget } from "../../language/ast.js";
import type { WriteTarget } from "../data/write.js";
import type { StepResult } from "../results.js";
import type { Draft, EngineRef, OpDefinition, Planner, Rendered, StepBase } from "./types.js";

/** `save DATASET to "file"` / `to table "t" in "db.duckdb"`: writes a dataset's rows (a prepare-only workflow's output). */
export type SaveStep = StepBase & { op: "save"; dataset: string; target: WriteTarget };

/** An output target with its paths resolved against the program's folder; `table "t"` alone is a table on `from`, the engine the rows come from. */
export function writeTarget(o: OutputTarget, baseDir: string, from?: EngineRef): WriteTarget {
  if (o.kind === "file") return { kind: "file", path: path.resolve(baseDir, o.path.value) };
  if (o.kind === "table") return { kind: "table", table: o.table.value, database: path.resolve(baseDir, o.database.value) };
  if (o.url) return { kind: "engine", engine: "clickhouse", url: o.url.value, table: o.table.value };
  // The checker refuses `table "t"` alone for rows on no engine (`missing-engine`); they are on
  // none here only when a reproduction reads the engine's rows from a snapshot, and writes nothing.
  if (!from) return { kind: "engine", engine: "clickhouse", url: "", table: o.table.value };
  return { kind: "engine", engine: from.engine, url: from.url, table: o.table.value, ...(from.userEnv ? { userEnv: from.userEnv } : {}), ...(from.passwordEnv ? { passwordEnv: from.passwordEnv } : {}) };
}

export const planSave: Planner<"save", Draft<SaveStep>> = (s, ctx) => ({
  op: "save",
  dataset: s.data.text,
  target: writeTarget(s.output, ctx.baseDir, ctx.origins.get(s.data.text)),
  label: `save ${s.data.text}`,
});

export const save: OpDefinition<SaveStep> = {
  op: "save",
  duckdbAlone: true,
  io: (step) => ({ reads: [step.dataset], defines: [] }),
  cacheable: () => false,
  // It writes outside the run: not after a failed assert, not while a run is reproduced.
  sideEffect: true,
  // Rows on an engine saved to a table of the same engine are copied there; anywhere else they come back first.
  readsEngine: (step) => step.target.kind === "engine",
  async run(ctx, step) {
    const remote = ctx.engineDataset(step.dataset);
    if (remote && step.target.kind === "engine") {
      const { copyEngineRows } = await import("../data/engine-dataset.js");
      const copied = await copyEngineRows(ctx, step.dataset, remote, step.target);
      return { kind: "written", what: step.dataset, rows: copied.rows, where: `table ${step.target.table} on ${step.target.engine} (${step.target.url})${copied.onEngine ? ", copied there" : ""}` };
    }
    const ds = ctx.dataset(step.dataset);
    const { writeRows } = await import("../data/write.js");
    const { parquetOf } = await import("../data/parquet-copies.js");
    // Rows the step cache has just kept as Parquet (or put back from there) are copied, not written again.
    const where = await writeRows(ctx.db, `SELECT * FROM ${ds.relation}`, step.target, ctx.engine, parquetOf(ds));
    return { kind: "written", what: step.dataset, rows: ds.rows, where };
  },
};

/** Rows written somewhere: how many, and where. */
export function renderWritten(r: Extract<StepResult, { kind: "written" }>): Rendered {
  return { summary: `${r.rows} rows to ${r.where}${r.model ? ` (${r.model})` : ""}${r.logged ? `; ${r.logged.rows === r.rows ? "logged" : `${r.logged.rows} logged`} for monitoring` : ""}`, parts: [] };
}
