/**
 * Reads a window of a served model's logs (predictions, failed requests, feedback: NDJSON segments,
 * docs/serving.md) with DuckDB, on a database of its own in memory: the run store's index and its
 * lock are never touched, so a monitor runs beside a server and a training run.
 *
 * Every line is read as text first, so a damaged line (a crash mid-write, a hand edit) is skipped
 * and counted instead of failing the read: a line counts when it is a JSON object with a
 * `request_id` and a `time` that parses.
 */
import { existsSync, readdirSync } from "node:fs";
import type { Database } from "../data/database.js";
import { literal } from "../sql/quote.js";

/** A time window in ms since the epoch, both ends included. */
export interface TimeWindow {
  from: number;
  to: number;
}

/** The lines of a log folder's segments as a relation of parsed records (`j` JSON, `t` ms), and how many were skipped. */
export async function loadLog(db: Database, dir: string, table: string, window: TimeWindow): Promise<{ rows: number; skipped: number }> {
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".ndjson")) : [];
  if (!files.length) {
    await db.exec(`CREATE OR REPLACE TEMP TABLE ${table} (j JSON, t BIGINT)`);
    return { rows: 0, skipped: 0 };
  }
  // chr(31) never occurs in a line JSON.stringify wrote (control characters are escaped), so each line is one value.
  const glob = literal(`${dir}/*.ndjson`);
  await db.exec(`CREATE OR REPLACE TEMP TABLE ${table}_lines AS
    SELECT CASE WHEN json_valid(line) AND json_type(line) = 'OBJECT' THEN line::JSON END AS j
    FROM read_csv(${glob}, columns = {'line': 'VARCHAR'}, header = false, delim = chr(31), quote = '', escape = '', auto_detect = false, strict_mode = false, null_padding = false)
    WHERE line IS NOT NULL AND trim(line) <> ''`);
  await db.exec(`CREATE OR REPLACE TEMP TABLE ${table}_parsed AS
    SELECT j, epoch_ms(TRY_CAST(j ->> 'time' AS TIMESTAMPTZ)) AS t FROM ${table}_lines`);
  await db.exec(`CREATE OR REPLACE TEMP TABLE ${table} AS
    SELECT j, t FROM ${table}_parsed WHERE j IS NOT NULL AND t IS NOT NULL AND (j ->> 'request_id') IS NOT NULL AND (t BETWEEN ${window.from} AND ${window.to})`);
  const [{ skipped }] = await db.rows(`SELECT count(*) FILTER (WHERE j IS NULL OR t IS NULL OR (j ->> 'request_id') IS NULL) AS skipped FROM ${table}_parsed`);
  const [{ rows }] = await db.rows(`SELECT count(*) AS rows FROM ${table}`);
  await db.exec(`DROP TABLE ${table}_lines; DROP TABLE ${table}_parsed`);
  return { rows: Number(rows), skipped: Number(skipped) };
}

/** The earliest and latest record times of a folder's segments (ms), or undefined when it has none. */
export async function logExtent(db: Database, table: string): Promise<TimeWindow | undefined> {
  const [r] = await db.rows(`SELECT min(t) AS lo, max(t) AS hi FROM ${table}`);
  return r.lo === null || r.lo === undefined ? undefined : { from: Number(r.lo), to: Number(r.hi) };
}
