/**
 * Reads a window of a served model's logs (predictions, failed requests, feedback: NDJSON segments,
 * docs/serving.md) with DuckDB, on a database of its own in memory: the run store's index and its
 * lock are never touched, so a monitor runs beside a server and a training run.
 *
 * DuckDB parses each line once (`read_json` with the fields asked for and their types, nothing
 * inferred). A damaged line (a crash mid-write, a hand edit) is skipped and counted instead of
 * failing the read: with `ignore_errors` a line that is not a JSON object comes back as a row of
 * NULLs, so a line counts when it is an object with its key (`request_id`; a resource sample's
 * `pid`) and a `time` that parses. Blank
 * lines are neither read nor counted. A field of an unexpected type never skips its line: read
 * as `VARCHAR` it is any JSON value's text (as `->>` gives it); as `DOUBLE` or `BIGINT` a number,
 * or a string holding one, is converted (as `TRY_CAST` of the text converts it; `true` reads as 1)
 * and anything else is NULL; a `STRUCT` lacking an object has NULL fields.
 */
import { existsSync, readdirSync } from "node:fs";
import type { Database } from "../data/database.js";
import { ident, literal } from "../sql/quote.js";

/** A time window in ms since the epoch, both ends included. */
export interface TimeWindow {
  from: number;
  to: number;
}

/** The fields of a log's records to read, by JSON name, with the DuckDB type each is read as (`VARCHAR`, `JSON`, `STRUCT(...)`). */
export type LogFields = Record<string, string>;

/** The largest line read (DuckDB's `maximum_object_size`): far above any record the server writes. */
const MAX_LINE_BYTES = 64 * 1024 * 1024;

/**
 * Loads the records of a log folder's segments in the window into the temp table `table`: its
 * columns are `key` (default `request_id`, as text), `t` (the record's time, ms) and the `select`
 * expressions over `fields`. Returns how many records it holds and how many lines were skipped
 * (in the window or not).
 */
export async function loadLog(db: Database, dir: string | undefined, table: string, window: TimeWindow, fields: LogFields, select: string[], key = "request_id"): Promise<{ rows: number; skipped: number }> {
  // No folder (a source not asked for): an empty table of the same columns.
  const files = dir !== undefined && existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".ndjson")) : [];
  const all: LogFields = { ...fields, [key]: "VARCHAR", time: "VARCHAR" };
  const k = ident(key);
  const source = files.length
    ? `read_json(${literal(`${dir}/*.ndjson`)}, format = 'newline_delimited', records = true, ignore_errors = true, maximum_object_size = ${MAX_LINE_BYTES}, columns = {${Object.entries(all)
        .map(([k, type]) => `${literal(k)}: ${literal(type)}`)
        .join(", ")}})`
    : `(SELECT ${Object.entries(all)
        .map(([k, type]) => `CAST(NULL AS ${type}) AS ${ident(k)}`)
        .join(", ")} WHERE false)`;
  // Damaged lines are kept (window aside) only to be counted, then deleted: the lines are parsed once.
  await db.exec(`CREATE OR REPLACE TEMP TABLE ${table} AS
    SELECT ${k}, t${select.map((s) => `, ${s}`).join("")}
    FROM (SELECT *, epoch_ms(TRY_CAST(time AS TIMESTAMPTZ)) AS t FROM ${source})
    WHERE ${k} IS NULL OR t IS NULL OR t BETWEEN ${window.from} AND ${window.to}`);
  const [{ rows, skipped }] = await db.rows(`SELECT count(*) FILTER (WHERE ${k} IS NOT NULL AND t IS NOT NULL) AS rows, count(*) FILTER (WHERE ${k} IS NULL OR t IS NULL) AS skipped FROM ${table}`);
  if (Number(skipped)) await db.exec(`DELETE FROM ${table} WHERE ${k} IS NULL OR t IS NULL`);
  return { rows: Number(rows), skipped: Number(skipped) };
}
