import { randomUUID } from "node:crypto";
import { rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { PrepareStep } from "../../language/ast.js";
import { clickhouseDialect as ch } from "../sql/clickhouse-dialect.js";
import type { TypedColumn } from "../sql/dialect.js";
import { ident, literal } from "../sql/quote.js";
import { duckTypeOf, type ClickHouseConnection } from "./clickhouse-connection.js";
import type { Database } from "./database.js";
import { partColumn } from "./split.js";
import { isFitted, readFitted, type AppliedStep } from "./steps.js";
import { DataError } from "../errors.js";

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
  bytes: number;
  /** `by column`: the rows whose value names no part (they go nowhere). */
  unassigned?: number;
}

/** The bytes of the engine's result inserted per DuckDB statement: one temporary NDJSON file at a time. */
const fileBytes = 32 * 2 ** 20;

/**
 * Runs a split and its prepare steps inside ClickHouse and brings back only the parts, each into
 * a DuckDB table named by `tableOf`. The steps compile through the ClickHouse dialect; each row's
 * part comes from the portable row hash over the columns the split sees (docs/scale-out.md), so the
 * same rows land in the same parts as on DuckDB (stratified and time splits rank rows by it too;
 * `by column` takes the part from the column). The rows with their part are computed once into a
 * `Memory` table on the server the connection talks to (dropped at the end), so neither the hash
 * nor a ranking runs again for each step that learns and each part. Steps that learn (`post`)
 * learn on the training part there (`fitQueries` + `readFitted`, the same constants DuckDB learns)
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

    // Learn on the training part, each step on the rows as they stand just before it (as `fitAndCompile`).
    const applied: AppliedStep[] = [];
    for (const step of spec.post) {
      if (!isFitted(step)) {
        applied.push({ step });
        continue;
      }
      const before = `(${ch.chain(partRel(spec.train), applied, names)})`;
      const results: Record<string, unknown>[][] = [];
      for (const q of ch.fitQueries(step, before) ?? []) results.push(await conn.rows(q));
      applied.push({ step, fitted: readFitted(step, results) });
    }

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
      const got = await streamInto(conn, db, ordered, table, columns, sizes.get(p.name) ?? 0);
      bytes += got.bytes;
      parts.push({ name: p.name, table, rows: got.rows });
    }
    let unassigned: number | undefined;
    if (spec.column !== undefined) {
      const [{ n }] = await conn.rows(`SELECT count() AS n FROM ${ch.ident(assigned)} WHERE NOT (ifNull(${ch.ident(partColumn)}, '') IN (${spec.parts.map((p) => ch.literal(p.name)).join(", ")}))`);
      unassigned = Number(n);
    }
    return { parts, applied, columns, source, sql, bytes, unassigned };
  } finally {
    await conn.command(`DROP TABLE IF EXISTS ${ch.ident(assigned)}`);
  }
}

/**
 * Streams a query's rows into a new DuckDB table typed from the engine's columns: the server's
 * JSONEachRow bytes go to temporary NDJSON files of about `fileBytes` each (cut at a row's end), and
 * DuckDB inserts each file. No row is parsed in JavaScript (parsing and re-serialising every row
 * was most of the time of a 2.4M-row part). `expected` is the part's row count on the engine: a
 * result cut short (an error after the server began sending) is an `engine-error`, never a short part.
 */
async function streamInto(conn: ClickHouseConnection, db: Database, query: string, table: string, columns: TypedColumn[], expected: number): Promise<{ rows: number; bytes: number }> {
  const types = columns.map((c) => [c.name, duckTypeOf(c.type)] as const);
  await db.exec(`CREATE OR REPLACE TABLE ${ident(table)} (${types.map(([n, t]) => `${ident(n)} ${t}`).join(", ")})`);
  // DuckDB's JSON reader parses doubles correctly rounded and casts 18.16's quoted 64-bit integers.
  const cols = `{${types.map(([n, t]) => `${literal(n)}: ${literal(t)}`).join(", ")}}`;
  let bytes = 0;
  let rows = 0;
  let pending: Buffer[] = [];
  let size = 0;
  const insert = async (body: Buffer) => {
    if (!body.length) return;
    const file = path.join(os.tmpdir(), `lathe-engine-${randomUUID()}.ndjson`);
    try {
      writeFileSync(file, body);
      await db.exec(`INSERT INTO ${ident(table)} SELECT * FROM read_json(${literal(file)}, format = 'newline_delimited', columns = ${cols})`);
    } finally {
      rmSync(file, { force: true });
    }
  };
  const count = (b: Buffer) => {
    let n = 0;
    for (let i = b.indexOf(10); i >= 0; i = b.indexOf(10, i + 1)) n++;
    return n;
  };
  await conn.streamBytes(query, "JSONEachRow", async (chunk) => {
    bytes += chunk.length;
    rows += count(chunk);
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
  if (rows !== expected) throw new DataError(`ClickHouse at ${conn.url} sent ${rows} of the ${expected} rows of a part: the result was cut short`, conn.url, "engine-error");
  return { rows, bytes };
}

/** The columns and engine types of a query's result (`DESC (query)`, which 18.16 answers without running it). */
async function describeQuery(conn: ClickHouseConnection, sql: string): Promise<TypedColumn[]> {
  return (await conn.rows(`DESC (${sql})`)).map((r) => ({ name: String(r.name), type: String(r.type) }));
}
