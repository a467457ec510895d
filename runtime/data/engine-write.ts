import { randomUUID } from "node:crypto";
import { createReadStream, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { DataError } from "../errors.js";
import { clickhouseDialect as ch } from "../sql/clickhouse-dialect.js";
import { ident, literal } from "../sql/quote.js";
import type { TypedColumn } from "../sql/dialect.js";
import type { ClickHouseConnection } from "./clickhouse-connection.js";
import type { Database } from "./database.js";

/** Rows per INSERT: memory holds one block of JSON lines, however many rows. */
const blockRows = 50_000;

/**
 * The ClickHouse type a DuckDB column is written as, and how DuckDB writes its values as JSON that
 * 18.16's `JSONEachRow` reads: booleans as 0/1 (`UInt8`), timestamps as `YYYY-MM-DD hh:mm:ss` (a
 * wall-clock time, which the server reads in its time zone and gives back so), timestamps with a
 * time zone as Unix seconds (an instant: DuckDB's text of one is in the client's time zone, which
 * the server knows nothing of), decimals and huge integers as doubles, anything without a
 * counterpart as text. NaN and ±∞ need nothing: DuckDB writes `NaN`/`Infinity`/`-Infinity`, which
 * 18.16 reads as such. Every column is `Nullable`: DuckDB's columns are.
 */
export function engineColumnOf(name: string, duckType: string): { type: string; select: string } {
  const q = ident(name);
  const ints: Record<string, string> = { TINYINT: "Int8", SMALLINT: "Int16", INTEGER: "Int32", BIGINT: "Int64", UTINYINT: "UInt8", USMALLINT: "UInt16", UINTEGER: "UInt32", UBIGINT: "UInt64" };
  const base = ((): { type: string; select: string } => {
    if (ints[duckType]) return { type: ints[duckType], select: q };
    if (duckType === "DOUBLE") return { type: "Float64", select: q };
    if (duckType === "FLOAT") return { type: "Float32", select: q };
    if (duckType === "BOOLEAN") return { type: "UInt8", select: `CAST(${q} AS UTINYINT)` };
    if (duckType === "DATE") return { type: "Date", select: `CAST(${q} AS VARCHAR)` };
    if (duckType === "TIMESTAMP WITH TIME ZONE") return { type: "DateTime", select: `CAST(floor(epoch(${q})) AS BIGINT)` };
    if (duckType.startsWith("TIMESTAMP")) return { type: "DateTime", select: `strftime(${q}, '%Y-%m-%d %H:%M:%S')` };
    if (duckType.startsWith("DECIMAL") || duckType === "HUGEINT") return { type: "Float64", select: `CAST(${q} AS DOUBLE)` };
    if (duckType === "VARCHAR") return { type: "String", select: q };
    return { type: "String", select: `CAST(${q} AS VARCHAR)` };
  })();
  return { type: `Nullable(${base.type})`, select: `${base.select} AS ${q}` };
}

/**
 * The values 18.16 stores and gives back as they were, per type: `DateTime` is seconds since 1970
 * in a UInt32 whose text ends in 2105, `Date` days since 1970 in a UInt16 (to 2149-06-06); the
 * first second and day are its zero (`0000-00-00`). Outside, a value is stored as another or as
 * zero, silently, so a write is refused first (`checkEngineRange`).
 */
const engineRanges: Record<string, { as: string; low: string; high: string }> = {
  DateTime: { as: "TIMESTAMP", low: "1970-01-01 00:00:01", high: "2105-12-31 23:59:59" },
  Date: { as: "DATE", low: "1970-01-02", high: "2149-06-06" },
};

/** Refuses rows with a date or time ClickHouse's column cannot hold (`engine-out-of-range`), before any row is sent. */
async function checkEngineRange(db: Database, query: string, columns: { name: string; duckType: string; type: string }[], url: string): Promise<void> {
  const checked = columns.flatMap((c) => {
    const range = engineRanges[bareType(c.type)];
    if (!range) return [];
    // An instant is compared as the UTC time it is written as (Unix seconds).
    const v = c.duckType === "TIMESTAMP WITH TIME ZONE" ? `make_timestamp(epoch_us(${ident(c.name)}))` : `CAST(${ident(c.name)} AS ${range.as})`;
    return [{ name: c.name, range, outside: `count(*) FILTER (WHERE ${v} < ${range.as} ${literal(range.low)} OR ${v} > ${range.as} ${literal(range.high)})` }];
  });
  if (!checked.length) return;
  const [counts] = await db.rows(`SELECT ${checked.map((x, i) => `${x.outside} AS n${i}`).join(", ")} FROM (${query})`);
  const bad = checked.flatMap((x, i) => (Number(counts[`n${i}`]) > 0 ? [`${Number(counts[`n${i}`])} of \`${x.name}\` (${x.range.as === "DATE" ? "Date" : "DateTime"} holds ${x.range.low} to ${x.range.high})`] : []));
  if (bad.length) throw new DataError(`ClickHouse would store other values than these rows hold: ${bad.join(", ")}; leave those rows out (\`drop rows where\`) or write them elsewhere`, url, "engine-out-of-range");
}

/** A ClickHouse type without its Nullable/LowCardinality wrappers: what two columns must agree on. */
function bareType(t: string): string {
  let out = t;
  for (let m = /^(?:Nullable|LowCardinality)\((.*)\)$/.exec(out); m; m = /^(?:Nullable|LowCardinality)\((.*)\)$/.exec(out)) out = m[1];
  return out;
}

/**
 * Makes `table` ready to take rows of these columns: created when missing (MergeTree on the server
 * the connection names), else checked to have each column with the same type, Nullable aside
 * (`engine-table-mismatch`, before any row is sent).
 */
async function ensureTable(conn: ClickHouseConnection, table: string, columns: { name: string; type: string }[]): Promise<void> {
  const existing = await conn.rows(`SELECT name, type FROM system.columns WHERE database = currentDatabase() AND table = ${ch.literal(table)}`);
  if (!existing.length) {
    await conn.command(`CREATE TABLE IF NOT EXISTS ${ch.ident(table)} (${columns.map((c) => `${ch.ident(c.name)} ${c.type}`).join(", ")}) ENGINE = MergeTree() ORDER BY tuple()`);
    return;
  }
  const have = new Map(existing.map((r) => [String(r.name), String(r.type)]));
  const wrong = columns.flatMap((c) => {
    const t = have.get(c.name);
    if (t === undefined) return [`no column \`${c.name}\``];
    return bareType(t) === bareType(c.type) ? [] : [`\`${c.name}\` is ${t}, the rows hold ${c.type}`];
  });
  if (wrong.length) throw new DataError(`the table \`${table}\` on ${conn.url} does not take these rows: ${wrong.join("; ")}; write to another table, or drop it to have it created`, conn.url, "engine-table-mismatch");
}

/**
 * Appends the rows of a query that runs on the same engine to a table there (`INSERT … SELECT`):
 * the rows never leave the server. The table is made ready as for `writeEngineRows`, with the
 * query's own engine types.
 */
export async function copyOnEngine(conn: ClickHouseConnection, sql: string, columns: TypedColumn[], table: string): Promise<void> {
  await ensureTable(conn, table, columns);
  const names = columns.map((c) => ch.ident(c.name)).join(", ");
  await conn.insert(`INSERT INTO ${ch.ident(table)} (${names}) SELECT ${names} FROM (${sql})`);
}

/**
 * Appends the rows of a DuckDB query to a table on ClickHouse, streamed: DuckDB writes them as
 * newline-delimited JSON to a temporary file, which goes to the engine `JSONEachRow` in INSERTs of
 * 50,000 rows (into a Distributed table with `insert_distributed_sync`, so the rows are on their
 * shards when this returns). A missing table is created (MergeTree on the server the URL names,
 * columns from the query's types: `engineColumnOf`); an existing one must have each of the
 * query's columns with the same type (Nullable aside), or the write is refused before any row is
 * sent (`engine-table-mismatch`). Returns the number of rows written.
 */
export async function writeEngineRows(conn: ClickHouseConnection, db: Database, query: string, table: string): Promise<number> {
  const columns = (await db.describe(query)).map((c) => ({ name: c.name, duckType: c.type, ...engineColumnOf(c.name, c.type) }));
  await checkEngineRange(db, query, columns, conn.url);
  await ensureTable(conn, table, columns);
  const file = path.join(os.tmpdir(), `lathe-engine-write-${randomUUID()}.ndjson`);
  const insert = `INSERT INTO ${ch.ident(table)} (${columns.map((c) => ch.ident(c.name)).join(", ")}) FORMAT JSONEachRow`;
  let rows = 0;
  try {
    await db.exec(`COPY (SELECT ${columns.map((c) => c.select).join(", ")} FROM (${query})) TO ${literal(file)} (FORMAT json)`);
    let block: string[] = [];
    const flush = async () => {
      if (!block.length) return;
      const body = block.join("\n");
      rows += block.length;
      block = [];
      await conn.insert(`${insert}\n${body}`);
    };
    // readline is loaded here, for the ClickHouse writes that use it, not on every start that loads this module.
    const { createInterface } = await import("node:readline");
    for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
      if (!line) continue;
      block.push(line);
      if (block.length >= blockRows) await flush();
    }
    await flush();
  } finally {
    rmSync(file, { force: true });
  }
  return rows;
}
