import type { PrepareStep } from "../../language/ast.js";
import { clickhouseDialect as ch } from "../sql/clickhouse-dialect.js";
import type { TypedColumn } from "../sql/dialect.js";
import type { ClickHouseConnection } from "./clickhouse-connection.js";
import type { Database } from "./database.js";
import { describeQuery, fetchRows, fitOnEngine } from "./engine-rows.js";
import { partColumn } from "./split.js";
import { isFitted, type AppliedStep } from "./steps.js";

/** A plain split of an engine table, with the prepare steps before it (`pre`: learn nothing; `post`: learn on the training part). */
export interface EngineSplitSpec {
  table: string;
  pre: PrepareStep[];
  post: PrepareStep[];
  parts: { name: string; fraction: number }[];
  train: string;
  seed: number;
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
}

/**
 * Runs a split and its prepare steps inside ClickHouse and brings back only the parts, each into
 * a DuckDB table named by `tableOf`. The steps compile through the ClickHouse dialect; each row's
 * part comes from the portable row hash over the columns the split sees (docs/scale-out.md), so the
 * same rows land in the same parts as DuckDB computing the portable split. Steps that learn (`post`)
 * learn on the training part on the engine (`fitQueries` + `readFitted`, the same constants DuckDB
 * learns) and are applied to every part there. A part streams back in JSONEachRow chunks, typed by
 * the engine's `DESCRIBE` of its query (`duckTypeOf`), ordered by the row hash and then the row
 * text, so a learner that depends on row order sees the same order on every run.
 */
export async function engineSplit(conn: ClickHouseConnection, db: Database, spec: EngineSplitSpec, tableOf: (part: string) => string): Promise<EngineSplitResult> {
  if (spec.pre.some(isFitted)) throw new Error("engineSplit: steps before the split must learn nothing (the planner puts the first fitted step and the rest after it)");
  const source = await conn.describe(spec.table);
  const pre = ch.chain(ch.ident(spec.table), spec.pre.map((step) => ({ step })), source.map((c) => c.name));
  const preColumns = await describeQuery(conn, pre);
  const names = preColumns.map((c) => c.name);
  const assigned = `(${ch.portableSplit(`(${pre})`, preColumns, { parts: spec.parts, seed: spec.seed }, partColumn)})`;
  const partRel = (name: string) => `(SELECT ${names.map(ch.ident).join(", ")}, __lathe_h FROM ${assigned} WHERE ${ch.ident(partColumn)} = ${ch.literal(name)})`;

  const applied = await fitOnEngine(conn, partRel(spec.train), spec.post, names);

  const parts: EngineSplitResult["parts"] = [];
  let columns: TypedColumn[] = [];
  let bytes = 0;
  for (const p of spec.parts) {
    // The hash rides along through the steps for the order (a `keep columns` after the split drops it: then the row text orders alone).
    const rows = ch.chain(partRel(p.name), applied, [...names, "__lathe_h"]);
    const described = await describeQuery(conn, rows);
    columns = described.filter((c) => c.name !== "__lathe_h");
    const order = [...(described.length > columns.length ? ["__lathe_h"] : []), ch.rowText(columns)].join(", ");
    const ordered = `SELECT ${columns.map((c) => ch.ident(c.name)).join(", ")} FROM (${rows}) ORDER BY ${order}`;
    const table = tableOf(p.name);
    const got = await fetchRows(conn, db, ordered, table, columns);
    bytes += got.bytes;
    parts.push({ name: p.name, table, rows: got.rows });
  }
  return { parts, applied, columns, source, sql: assigned, preColumns, bytes };
}
