import { randomUUID } from "node:crypto";
import type { PrepareStep } from "../../language/ast.js";
import { clickhouseDialect as ch } from "../sql/clickhouse-dialect.js";
import type { TypedColumn } from "../sql/dialect.js";
import type { ClickHouseConnection } from "./clickhouse-connection.js";
import type { Database } from "./database.js";
import { describeQuery, fetchRows, fitOnEngine } from "./engine-rows.js";
import { partColumn } from "./split.js";
import { isFitted, type AppliedStep } from "./steps.js";

/** A split of an engine table (plain, stratified, by time or by column), with the prepare steps before it (`pre`: learn nothing; `post`: learn on the training part). */
export interface EngineSplitSpec {
  table: string;
  pre: PrepareStep[];
  post: PrepareStep[];
  parts: { name: string; fraction: number }[];
  train: string;
  seed: number;
  stratify?: string;
  time?: string;
  column?: string;
}

/** What came back: each part as a DuckDB table (typed), the post steps with the constants learned on the engine, and the bytes of JSON received. */
export interface EngineSplitResult {
  parts: { name: string; table: string; rows: number }[];
  applied: AppliedStep[];
  columns: TypedColumn[];
  /** The engine table's own columns and types (a model's raw input). */
  source: TypedColumn[];
  /** The query giving each row its part on the engine, for `lathe explain`. */
  sql: string;
  /** The columns of the rows before the split (after the steps that learn nothing): a part's raw rows are `sql`'s of that part, these columns. */
  preColumns: TypedColumn[];
  bytes: number;
  /** `by column`: the rows whose value names no part (they go nowhere). */
  unassigned?: number;
}

/**
 * Runs a split and its prepare steps inside ClickHouse and brings back only the parts, each into
 * a DuckDB table named by `tableOf`. The steps compile through the ClickHouse dialect; each row's
 * part comes from the portable row hash over the columns the split sees (docs/scale-out.md), so the
 * same rows land in the same parts as on DuckDB (stratified and time splits rank rows by it too;
 * `by column` takes the part from the column). The rows with their part are computed once into a
 * `Memory` table on the server the connection talks to (dropped at the end), so neither the hash
 * nor a ranking runs again for each step that learns and each part. Steps that learn (`post`)
 * learn on the training part there (`learnStep`, the same constants DuckDB learns)
 * and are applied to every part. A part streams back in JSONEachRow chunks, typed by the engine's
 * `DESCRIBE` of its query (`duckTypeOf`), ordered by time (time splits), the row hash and then the
 * values, so a learner that depends on row order sees the same order on every run.
 */
export async function engineSplit(conn: ClickHouseConnection, db: Database, spec: EngineSplitSpec, tableOf: (part: string) => string): Promise<EngineSplitResult> {
  if (spec.pre.some(isFitted)) throw new Error("engineSplit: steps before the split must learn nothing (the planner puts the first fitted step and the rest after it)");
  const source = await conn.describe(spec.table);
  const pre = ch.chain(ch.ident(spec.table), spec.pre.map((step) => ({ step })), source.map((c) => c.name));
  const preColumns = await describeQuery(conn, pre);
  const names = preColumns.map((c) => c.name);
  const sql =
    spec.column !== undefined
      ? `SELECT *, toString(${ch.ident(spec.column)}) AS ${ch.ident(partColumn)} FROM (${pre})`
      : ch.portableSplit(`(${pre})`, preColumns, { parts: spec.parts, seed: spec.seed, stratify: spec.stratify, time: spec.time }, partColumn);
  const hashed = spec.column === undefined;
  const assigned = `__lathe_split_${randomUUID().replace(/-/g, "")}`;
  await conn.command(`CREATE TABLE ${ch.ident(assigned)} ENGINE = Memory AS ${sql}`);
  try {
    const carried = [...names, ...(hashed ? ["__lathe_h"] : [])];
    const partRel = (name: string) => `(SELECT ${carried.map(ch.ident).join(", ")} FROM ${ch.ident(assigned)} WHERE ${ch.ident(partColumn)} = ${ch.literal(name)})`;

    const applied = await fitOnEngine(conn, partRel(spec.train), spec.post, names);

    // Each part's size, to tell a part that came back whole from one cut short.
    const sizes = new Map((await conn.rows(`SELECT ${ch.ident(partColumn)} AS p, count() AS n FROM ${ch.ident(assigned)} GROUP BY p`)).map((r) => [String(r.p), Number(r.n)]));
    const parts: EngineSplitResult["parts"] = [];
    let columns: TypedColumn[] = [];
    let bytes = 0;
    for (const p of spec.parts) {
      // The hash rides along through the steps for the order (a `keep columns` after the split drops it: then the row text orders alone).
      const rows = ch.chain(partRel(p.name), applied, carried);
      const described = await describeQuery(conn, rows);
      columns = described.filter((c) => c.name !== "__lathe_h");
      const keys = [
        ...(spec.time !== undefined && columns.some((c) => c.name === spec.time) ? [ch.ident(spec.time)] : []),
        ...(described.length > columns.length ? ["__lathe_h"] : []),
        // Then the values themselves: a tie-break only rows of equal hash reach (the row text would
        // be built for every row before the sort).
        ...columns.map((c) => ch.ident(c.name)),
      ];
      const ordered = `SELECT ${columns.map((c) => ch.ident(c.name)).join(", ")} FROM (${rows}) ORDER BY ${keys.join(", ")}`;
      const table = tableOf(p.name);
      const got = await fetchRows(conn, db, ordered, table, columns, sizes.get(p.name) ?? 0);
      bytes += got.bytes;
      parts.push({ name: p.name, table, rows: got.rows });
    }
    let unassigned: number | undefined;
    if (spec.column !== undefined) {
      const [{ n }] = await conn.rows(`SELECT count() AS n FROM ${ch.ident(assigned)} WHERE NOT (ifNull(${ch.ident(partColumn)}, '') IN (${spec.parts.map((p) => ch.literal(p.name)).join(", ")}))`);
      unassigned = Number(n);
    }
    return { parts, applied, columns, source, sql: `(${sql})`, preColumns, bytes, unassigned };
  } finally {
    await conn.command(`DROP TABLE IF EXISTS ${ch.ident(assigned)}`);
  }
}
