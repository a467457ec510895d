import type { PrepareStep, SourceSpec } from "../../language/ast.js";
import { sourceOptionValue } from "../../language/catalog.js";
import type { DatasetState } from "../dataset-state.js";
import { DataError } from "../errors.js";
import type { StepContext } from "../ops/types.js";
import { clickhouseDialect as ch } from "../sql/clickhouse-dialect.js";
import type { TypedColumn } from "../sql/dialect.js";
import { ident } from "../sql/quote.js";
import { columnSteps } from "../transform.js";
import { ClickHouseConnection, duckTypeOf, type EngineAddress, type EngineRef } from "./clickhouse-connection.js";
import { copyOnEngine, writeEngineRows } from "./engine-write.js";
import { describeQuery, fetchRows, fitOnEngine, orderColumn, stableOrder, type EngineRows } from "./engine-rows.js";

export type { EngineRows } from "./engine-rows.js";
import { hashText } from "./source.js";
import { expansions, isFitted } from "./steps.js";

/** The engine table a `table "T" from clickhouse "URL" [with { user_env, password_env }]` source names, with the names of its credential variables. */
export function engineRefOf(spec: Extract<SourceSpec, { kind: "table" }>): EngineRef {
  const names = Object.fromEntries((spec.options ?? []).map((o) => [o.key.text, sourceOptionValue(o.values)]));
  const env = (key: string) => (typeof names[key] === "string" ? (names[key] as string) : undefined);
  const [userEnv, passwordEnv] = [env("user_env"), env("password_env")];
  return { engine: "clickhouse", url: spec.database.value, table: spec.table.value, ...(userEnv ? { userEnv } : {}), ...(passwordEnv ? { passwordEnv } : {}) };
}

/** An engine table as a dataset: its columns and row count (the rows stay there). */
export async function engineSource(conn: ClickHouseConnection, ref: EngineRef): Promise<EngineRows> {
  const columns = await conn.describe(ref.table);
  const [{ n }] = await conn.rows(`SELECT count() AS n FROM ${ch.ident(ref.table)}`);
  const rawTypes = Object.fromEntries(columns.map((c) => [c.name, duckTypeOf(c.type)]));
  return { ref, sql: sourceQuery(ref, columns), carriesOrder: columns.some((c) => ch.valueKind(c.type) !== "other"), columns, rows: Number(n), transform: [], expansions: {}, rawTypes };
}

/** An engine table's rows with the hash of each (`orderColumn`), which orders them through the steps after. */
function sourceQuery(ref: EngineRef, columns: TypedColumn[]): string {
  const portable = columns.filter((c) => ch.valueKind(c.type) !== "other");
  // No column with a portable text: the rows are ordered by their own content at each read instead.
  if (!portable.length) return `SELECT * FROM ${ch.ident(ref.table)}`;
  return `SELECT *, ${ch.rowHash(portable, 0)} AS ${orderColumn} FROM ${ch.ident(ref.table)}`;
}

/**
 * The relation a prepare's steps read and the columns they see: with the source order riding
 * along, unless a step de-duplicates rows (two rows the steps made equal must stay equal, whatever
 * source rows they came from), when the rows are ordered by their own hash instead.
 */
function stepInput(sql: string, columns: TypedColumn[], carries: boolean | undefined, steps: PrepareStep[]): { relation: string; names: string[] } {
  const names = columns.map((c) => c.name);
  if (!carries) return { relation: `(${sql})`, names };
  if (steps.some((s) => s.kind === "drop-duplicates")) return { relation: `(SELECT ${names.map(ch.ident).join(", ")} FROM (${sql}))`, names };
  return { relation: `(${sql})`, names: [...names, orderColumn] };
}

/**
 * Prepare steps over engine rows, run there: the steps that learn learn on the input's rows on the
 * engine (as a prepare learns on its own rows in DuckDB) and their constants are inlined, so the
 * result is a query any reader can push down or bring back.
 */
export async function enginePrepared(conn: ClickHouseConnection, input: EngineRows, steps: PrepareStep[]): Promise<EngineRows> {
  if (!input.sql) throw new DataError("the input of this prepare is kept as a view on the engine", undefined, "engine-unsupported");
  const { relation, names } = stepInput(input.sql, input.columns, input.carriesOrder, steps);
  const applied = await fitOnEngine(conn, relation, steps, names);
  const sql = ch.chain(relation, applied, names);
  const described = await describeQuery(conn, sql);
  const columns = described.filter((c) => c.name !== orderColumn);
  const [{ n }] = await conn.rows(`SELECT count() AS n FROM (${sql})`);
  return { ref: input.ref, sql, carriesOrder: columns.length < described.length, columns, rows: Number(n), transform: [...input.transform, ...columnSteps(applied)], expansions: { ...input.expansions, ...expansions(applied) }, rawTypes: input.rawTypes };
}

/**
 * A prepare that only a split reads (a view): its rows and columns as they stand before its first
 * step that learns, which learns on the split's training part (`engineSplit`), there.
 */
export async function engineView(conn: ClickHouseConnection, ref: EngineRef, steps: PrepareStep[]): Promise<EngineRows & { learns: boolean }> {
  const cut = steps.findIndex(isFitted);
  const stateless = (cut < 0 ? steps : steps.slice(0, cut)).map((s) => ({ step: s }));
  const source = await conn.describe(ref.table);
  const { relation, names } = stepInput(sourceQuery(ref, source), source, source.some((c) => ch.valueKind(c.type) !== "other"), steps);
  const sql = ch.chain(relation, stateless, names);
  const described = await describeQuery(conn, sql);
  const columns = described.filter((c) => c.name !== orderColumn);
  const [{ n }] = await conn.rows(`SELECT count() AS n FROM (${sql})`);
  const rawTypes = Object.fromEntries(source.map((c) => [c.name, duckTypeOf(c.type)]));
  const rows = { ref, columns, rows: Number(n), transform: columnSteps(stateless), expansions: {}, rawTypes, learns: cut >= 0 };
  return cut < 0 ? { ...rows, sql, carriesOrder: columns.length < described.length } : { ...rows, chain: steps };
}

/** An engine dataset with the query of its rows: a view's steps run whole (those that learn learning on all its rows), as a prepare read by any step would. */
async function withSql(ctx: StepContext, rows: EngineRows): Promise<EngineRows & { sql: string }> {
  if (rows.sql) return rows as EngineRows & { sql: string };
  const conn = await ctx.engine(rows.ref);
  const full = await enginePrepared(conn, await engineSource(conn, rows.ref), rows.chain ?? []);
  return full as EngineRows & { sql: string };
}

/**
 * Brings all of an engine dataset's rows back into DuckDB as the dataset itself (for a reader that
 * needs every row: training, scoring, saving), streamed, in the stable order of `stableOrder`
 * (a learner that depends on row order sees the same order on every run).
 */
export async function bringBack(ctx: StepContext, name: string, view: EngineRows): Promise<DatasetState & { bytes: number; sql: string }> {
  const rows = await withSql(ctx, view);
  const conn = await ctx.engine(rows.ref);
  const temp = ctx.tempName("engine_rows");
  try {
    const sql = stableOrder(rows.sql, rows.columns, { carried: rows.carriesOrder });
    const got = await fetchRows(conn, ctx.db, sql, temp, rows.columns);
    const ds = await ctx.materialise(name, `SELECT * FROM ${ident(temp)}`, { expansions: rows.expansions, transform: rows.transform, rawTypes: rows.rawTypes, rows: got.rows });
    return { ...ds, bytes: got.bytes, sql };
  } finally {
    await ctx.db.exec(`DROP TABLE IF EXISTS ${ident(temp)}`);
  }
}

/**
 * The first `limit` rows of an engine dataset in the stable order (a seeded sample of the whole,
 * bounded), only `columns` of them (all when omitted), in a temporary DuckDB table; the caller
 * drops it. Returns it as a dataset state a chart or a profile reads like any other.
 */
export async function engineSample(ctx: StepContext, name: string, view: EngineRows, limit: number, columns?: string[]): Promise<{ state: DatasetState; table: string; bytes: number }> {
  const rows = await withSql(ctx, view);
  const conn = await ctx.engine(rows.ref);
  const table = ctx.tempName("engine_sample");
  const keep = columns ? rows.columns.filter((c) => columns.includes(c.name)) : rows.columns;
  const got = await fetchRows(conn, ctx.db, stableOrder(rows.sql, rows.columns, { carried: rows.carriesOrder, limit, select: keep }), table, keep);
  const state: DatasetState = { name, relation: ident(table), columns: keep.map((c) => c.name), rows: got.rows, expansions: rows.expansions, transform: rows.transform, rawTypes: rows.rawTypes };
  return { state, table, bytes: got.bytes };
}

/** The fingerprint of an engine table's rows as a load's key holds it (the engine computes it: `ClickHouseConnection.fingerprint`). */
export async function engineFingerprint(engine: EngineRef): Promise<string> {
  const conn = await ClickHouseConnection.open(engine.url, process.env, engine);
  try {
    return hashText(JSON.stringify(engine) + "\n" + (await conn.fingerprint(engine.table)));
  } finally {
    await conn.close();
  }
}

/**
 * A dataset whose raw rows (`DatasetState.raw`) stay on an engine, with those rows brought back:
 * only `columns` of them, in the stable order, into a temporary DuckDB table the caller drops
 * (`drop`). A dataset whose raw rows are in DuckDB comes back as it is.
 */
export async function withLocalRaw(ctx: StepContext, data: DatasetState, columns: string[]): Promise<{ data: DatasetState; drop: () => Promise<void> }> {
  const raw = data.raw;
  if (!raw?.engine) return { data, drop: async () => undefined };
  const conn = await ctx.engine(raw.engine);
  const all = await describeQuery(conn, raw.sql);
  const keep = all.filter((c) => columns.includes(c.name));
  const table = ctx.tempName("engine_raw");
  await fetchRows(conn, ctx.db, stableOrder(raw.sql, all, { select: keep }), table, keep);
  return { data: { ...data, raw: { sql: ident(table), prepared: raw.prepared } }, drop: () => ctx.db.exec(`DROP TABLE IF EXISTS ${ident(table)}`) };
}

/**
 * Appends an engine dataset's rows to an engine table: with an `INSERT … SELECT` when the table is
 * on the same server reached the same way (the rows never leave it), else brought back and written
 * from DuckDB. Returns the number of rows and whether they stayed on the server.
 */
export async function copyEngineRows(ctx: StepContext, name: string, view: EngineRows, target: EngineAddress & { table: string }): Promise<{ rows: number; onEngine: boolean }> {
  const same = (a: EngineAddress, b: EngineAddress) => a.url === b.url && a.userEnv === b.userEnv && a.passwordEnv === b.passwordEnv;
  if (!same(view.ref, target)) {
    const ds = await bringBack(ctx, name, view);
    await writeEngineRows(await ctx.engine(target), ctx.db, `SELECT * FROM ${ds.relation}`, target.table);
    return { rows: ds.rows, onEngine: false };
  }
  const rows = await withSql(ctx, view);
  await copyOnEngine(await ctx.engine(rows.ref), rows.sql, rows.columns, target.table);
  return { rows: rows.rows, onEngine: true };
}
