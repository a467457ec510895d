import { randomUUID } from "node:crypto";
import { rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { clickhouseDialect as ch } from "../sql/clickhouse-dialect.js";
import type { TypedColumn } from "../sql/dialect.js";
import { ident, literal } from "../sql/quote.js";
import type { Transform } from "../transform.js";
import { duckTypeOf, type ClickHouseConnection, type EngineRef } from "./clickhouse-connection.js";
import type { PrepareStep } from "../../language/ast.js";
import type { Database } from "./database.js";
import { isFitted, learnStep, type AppliedStep } from "./steps.js";
import { DataError } from "../errors.js";

/**
 * A dataset whose rows stay on an engine (a `from clickhouse` source, or a prepare of one): the
 * query that gives its rows there, with any constants its steps learned inlined, and what a
 * DuckDB dataset would know of it. Readers push work down (`show`'s LIMIT, `plot`'s and
 * `describe`'s bounded samples) or bring the rows back (`bringBack`) into a DuckDB table.
 */
export interface EngineRows {
  ref: EngineRef;
  /**
   * Its rows on the engine; none for a prepare kept as a view (only a split reads it, and the split
   * runs its steps itself). It may carry one more column, `orderColumn`: the hash of the source row
   * each row came from, so its rows keep their source's order through the steps, as a DuckDB
   * prepare keeps its input's order.
   */
  sql?: string;
  /** Whether `sql` carries `orderColumn` (a step that keeps only some columns drops it). */
  carriesOrder?: boolean;
  /** For a view (no `sql`): its steps from the engine table, run whole when a reader needs its rows after all (a later notebook cell). */
  chain?: PrepareStep[];
  /** Its columns with their engine types. */
  columns: TypedColumn[];
  rows: number;
  /** The column steps applied since the engine table's raw rows, with their constants. */
  transform: Transform;
  expansions: Record<string, string[]>;
  /** The DuckDB types of the engine table's own columns (a model's raw input). */
  rawTypes: Record<string, string>;
}

/** The bytes of the engine's result inserted per DuckDB statement: one temporary NDJSON file at a time. */
const fileBytes = 32 * 2 ** 20;

/** What came back from the engine into a DuckDB table: its rows, the engine's types of its columns, and the bytes of JSON received. */
export interface FetchedRows {
  rows: number;
  columns: TypedColumn[];
  bytes: number;
}

/**
 * Streams the rows of a ClickHouse query into a new DuckDB table, in the order the query gives
 * them, typed by the engine's `DESC` of the query (`duckTypeOf`; pass `columns` when already
 * known, which saves a query): the server's JSONEachRow bytes go to temporary NDJSON files of about
 * `fileBytes` each (cut at a row's end), and DuckDB inserts each file, parsing each double
 * correctly rounded and casting 18.16's quoted 64-bit integers. No row is parsed in JavaScript
 * (parsing and re-serialising every row was most of the time of a 2.4M-row part), and memory holds
 * one file's bytes, however many rows. `expected`: the row count the engine has for the query; a
 * result cut short (an error after the server began sending) is then an `engine-error`, never a
 * short table.
 */
export async function fetchRows(conn: ClickHouseConnection, db: Database, sql: string, table: string, columns?: TypedColumn[], expected?: number): Promise<FetchedRows> {
  const cols = columns ?? (await describeQuery(conn, sql));
  const types = cols.map((c) => [c.name, duckTypeOf(c.type)] as const);
  await db.exec(`CREATE OR REPLACE TABLE ${ident(table)} (${types.map(([n, t]) => `${ident(n)} ${t}`).join(", ")})`);
  const spec = `{${types.map(([n, t]) => `${literal(n)}: ${literal(t)}`).join(", ")}}`;
  let bytes = 0;
  let rows = 0;
  let pending: Buffer[] = [];
  let size = 0;
  const insert = async (body: Buffer) => {
    if (!body.length) return;
    const file = path.join(os.tmpdir(), `lathe-engine-${randomUUID()}.ndjson`);
    try {
      writeFileSync(file, body);
      await db.exec(`INSERT INTO ${ident(table)} SELECT * FROM read_json(${literal(file)}, format = 'newline_delimited', columns = ${spec})`);
    } finally {
      rmSync(file, { force: true });
    }
  };
  const lines = (b: Buffer) => {
    let n = 0;
    for (let i = b.indexOf(10); i >= 0; i = b.indexOf(10, i + 1)) n++;
    return n;
  };
  await conn.streamBytes(sql, "JSONEachRow", async (chunk) => {
    bytes += chunk.length;
    rows += lines(chunk);
    pending.push(chunk);
    size += chunk.length;
    if (size < fileBytes) return;
    const all = Buffer.concat(pending);
    const cut = all.lastIndexOf(10) + 1;
    pending = [all.subarray(cut)];
    size = all.length - cut;
    await insert(all.subarray(0, cut));
  });
  await insert(Buffer.concat(pending));
  if (expected !== undefined && rows !== expected) throw new DataError(`ClickHouse at ${conn.url} sent ${rows} of the ${expected} rows of a part: the result was cut short`, conn.url, "engine-error");
  return { rows, columns: cols, bytes };
}

/** The column an engine dataset's query may carry: the portable hash (seed 0) of the source row each row came from. */
export const orderColumn = "__lathe_o";

/**
 * The rows of a query in a fixed order that depends only on the rows (never on shards or insert
 * order): by the hash of the source row each came from when the query carries it (`orderColumn`,
 * `carried`), else by the portable row hash of its own columns with seed 0; ties by the row text.
 * With `limit`, the first rows of that order: a sample spread over the whole table (the hash is
 * uniform), the same on every run. `select`: the columns that come back (default all).
 */
export function stableOrder(sql: string, columns: TypedColumn[], options: { carried?: boolean; limit?: number; select?: TypedColumn[] } = {}): string {
  const names = (options.select ?? columns).map((c) => ch.ident(c.name)).join(", ");
  const limit = options.limit !== undefined ? ` LIMIT ${Math.max(0, Math.floor(options.limit))}` : "";
  return `SELECT ${names} FROM (${sql}) ORDER BY ${rowOrder(columns, options.carried).join(", ")}${limit}`;
}

/**
 * The ORDER BY terms that order rows by their content alone: the portable hash (seed 0) and text
 * of the columns that have a portable text, then the others (arrays, enums, UUIDs: no portable
 * text, but ClickHouse orders them) as they are; `carried`: the source row's hash
 * (`orderColumn`, the portable columns' `rowHash` an engine source computes) comes first instead.
 */
export function rowOrder(columns: TypedColumn[], carried = false): string[] {
  const portable = columns.filter((c) => ch.valueKind(c.type) !== "other");
  const others = columns.filter((c) => ch.valueKind(c.type) === "other").map((c) => ch.ident(c.name));
  if (!portable.length) return [...(carried ? [orderColumn] : []), ...others];
  return [carried ? orderColumn : ch.rowHash(portable, 0), ch.rowText(portable), ...others];
}

/** The columns and engine types of a query's result (`DESC (query)`, which 18.16 answers without running it). */
export async function describeQuery(conn: ClickHouseConnection, sql: string): Promise<TypedColumn[]> {
  return (await conn.rows(`DESC (${sql})`)).map((r) => ({ name: String(r.name), type: String(r.type) }));
}

/**
 * Prepare steps over an engine relation, with what each step that learns learned there on the
 * rows as they stand just before it (`learnStep`: the same constants DuckDB's `fitAndCompile`
 * learns on the same rows, bit for bit, means and spreads included, however the shards add).
 */
export async function fitOnEngine(conn: ClickHouseConnection, relation: string, steps: PrepareStep[], columns: string[]): Promise<AppliedStep[]> {
  const applied: AppliedStep[] = [];
  for (const step of steps) {
    if (!isFitted(step)) {
      applied.push({ step });
      continue;
    }
    const before = `(${ch.chain(relation, applied, columns)})`;
    applied.push({ step, fitted: await learnStep((sql) => conn.rows(sql), ch, step, before) });
  }
  return applied;
}
