import { fingerprint, hashText, sourceSql } from "../data/source.js";
import type { SourceSpec } from "../../language/ast.js";
import type { StepResult } from "../results.js";
import { ident, literal } from "../sql/quote.js";
import { clickhouseDialect } from "../sql/clickhouse-dialect.js";
import { bringBack, engineFingerprint, engineRefOf, engineSource } from "../data/engine-dataset.js";
import type { Draft, EngineRef, OpDefinition, Planner, Rendered, StepBase } from "./types.js";

/**
 * `source NAME = read ...`: reads a file, a glob, a database table or a query into a table.
 * `from`: read instead from a recorded run's snapshot of its rows (`lathe reproduce`).
 */
export type LoadStep = StepBase & { op: "load"; dataset: string; spec: SourceSpec; sql: string; files: string[]; fingerprint: string; attach?: { alias: string; file: string }; from?: { run: string; why: string }; snapshot?: boolean; engine?: EngineRef; lazy?: boolean };

/** Resolves the source's files and fingerprints them, so the step's key changes when the data does. */
export const planLoad: Planner<"source", Draft<LoadStep>> = async (s, ctx) => {
  ctx.prepares.delete(s.name.text);
  ctx.splits.delete(s.name.text);
  ctx.engines.delete(s.name.text);
  ctx.origins.delete(s.name.text);
  const snapshot = ctx.snapshots?.get(s.name.text);
  if (snapshot) {
    // The rows the recorded run read, under the fingerprint they had then.
    const sql = `read_parquet(${literal(snapshot.file)})`;
    return { op: "load", dataset: s.name.text, spec: s.source, sql, files: [snapshot.file], fingerprint: snapshot.fingerprint, from: { run: snapshot.run, why: snapshot.why }, label: `collect ${s.name.text}` };
  }
  if (s.source.kind === "table" && s.source.engine) {
    // The rows stay on the engine: the plan (and so the run record) names it, never credentials.
    // The engine fingerprints the rows, so the keys of the steps after it change when they do.
    const engine = engineRefOf(s.source);
    ctx.engines.set(s.name.text, engine);
    ctx.origins.set(s.name.text, engine);
    const fp = await engineFingerprint(engine);
    return { op: "load", dataset: s.name.text, spec: s.source, sql: "", files: [], fingerprint: fp, engine, ...(s.snapshot ? { snapshot: true } : {}), label: `collect ${s.name.text}` };
  }
  const { sql, files, attach } = await sourceSql(s.source, ctx.baseDir);
  const fp = files.length ? await fingerprint(files, ctx.digests) : hashText(sql);
  return { op: "load", dataset: s.name.text, spec: s.source, sql, files, fingerprint: fp, attach, ...(s.snapshot ? { snapshot: true } : {}), label: `collect ${s.name.text}` };
};

export const load: OpDefinition<LoadStep> = {
  op: "load",
  duckdbAlone: true,
  io: (step) => ({ reads: [], defines: [step.dataset] }),
  cacheable: rowsFixed,
  // Its source file is the copy: keeping another would double the data for no speed (`--snapshot` does, when asked).
  storedAcrossRuns: false,
  async run(ctx, step) {
    if (step.engine) return engineLoad(ctx, step, step.engine);
    const attach = step.attach && `ATTACH IF NOT EXISTS ${literal(step.attach.file)} AS ${ident(step.attach.alias)} (READ_ONLY)`;
    if (attach) await ctx.db.exec(attach);
    ctx.options.onSql?.({ id: step.id, label: step.label, title: `table ${step.dataset}`, sql: `${attach ? `${attach};\n` : ""}SELECT * FROM ${step.sql}` });
    const file = step.files.length === 1 ? step.files[0] : step.spec.kind === "file" ? step.spec.path.value : undefined;
    const ds = await ctx.materialise(step.dataset, `SELECT * FROM ${step.sql}`, { expansions: {}, transform: [], file, ...(step.lazy ? { lazy: { span: step.span } } : {}) });
    if (step.lazy) return { ...datasetResult(ds), note: "read from its file by the steps that use it" };
    if (step.from) return { ...datasetResult(ds), note: `read from the snapshot of run ${step.from.run} (${step.from.why})` };
    const note = (ctx.options.snapshot || step.snapshot) && ctx.options.cache ? await ctx.options.cache.snapshot(step, ctx, rowsFixed(step)) : undefined;
    return { ...datasetResult(ds), ...(note ? { note } : {}) };
  },
};

/** Whether the step's key fixes the rows it reads: a query's result is not fixed by its text, so `sql` sources always run (an engine table's key holds the engine's fingerprint of its rows). */
function rowsFixed(step: LoadStep): boolean {
  return step.spec.kind !== "sql";
}

/**
 * An engine source: its rows stay there; the step asks for their count and columns. With a
 * snapshot asked for, the rows come back into DuckDB (in their stable order) and are kept as the
 * run's snapshot, which `lathe reproduce` reads when the engine's rows have changed since.
 */
async function engineLoad(ctx: Parameters<OpDefinition<LoadStep>["run"]>[0], step: LoadStep, engine: EngineRef): Promise<StepResult> {
  const rows = await engineSource(await ctx.engine(engine), engine);
  ctx.options.onSql?.({ id: step.id, label: step.label, title: `table ${step.dataset} (on ${engine.engine})`, sql: `SELECT * FROM ${clickhouseDialect.ident(engine.table)}` });
  ctx.setEngineDataset(step.dataset, rows);
  const result = { kind: "dataset" as const, name: step.dataset, rows: rows.rows, columns: rows.columns.map((c) => c.name) };
  if ((ctx.options.snapshot || step.snapshot) && ctx.options.cache) {
    const back = await bringBack(ctx, step.dataset, rows);
    const note = await ctx.options.cache.snapshot(step, ctx, rowsFixed(step));
    return { ...result, note: `read from ${engine.engine} (${engine.url}), ${back.bytes} bytes of rows; ${note}` };
  }
  return { ...result, note: `stays on ${engine.engine} (${engine.url})` };
}

/** The result of a step that defines a dataset (rows left out when they were not counted: a lazy source). */
export function datasetResult(ds: { name: string; rows: number; columns: string[] }): StepResult {
  return { kind: "dataset", name: ds.name, ...(Number.isNaN(ds.rows) ? {} : { rows: ds.rows }), columns: ds.columns };
}

/** A dataset result: its size. */
export function renderDataset(r: Extract<StepResult, { kind: "dataset" }>): Rendered {
  return { summary: `${r.rows === undefined ? "" : `${r.rows} rows, `}${r.columns.length} columns${r.note ? `; ${r.note}` : ""}`, parts: [] };
}
