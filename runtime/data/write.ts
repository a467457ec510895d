import { constants, copyFileSync, mkdirSync, renameSync, rmSync } from "node:fs";
import path from "node:path";
import { outputFormatOf, type OutputFormat } from "../../language/catalog.js";
import { DataError } from "../errors.js";
import { ident, literal } from "../sql/quote.js";
import type { ClickHouseConnection, EngineAddress } from "./clickhouse-connection.js";
import type { Database } from "./database.js";
import { writeEngineRows } from "./engine-write.js";
import { parquetCopyOptions } from "./parquet-copies.js";

/** Where rows are written: a file in a format, a table of a DuckDB database file, or a table on an engine (appended to). Paths are absolute. */
export type WriteTarget = { kind: "file"; path: string } | { kind: "table"; table: string; database: string } | ({ kind: "engine"; engine: "clickhouse"; table: string } & EngineAddress);

/** DuckDB's COPY options for each format Lathe writes. */
const copyOptions: Record<OutputFormat, string> = {
  parquet: parquetCopyOptions,
  csv: "FORMAT csv, HEADER true",
  tsv: "FORMAT csv, HEADER true, DELIMITER '\t'",
  json: "FORMAT json, ARRAY true",
  ndjson: "FORMAT json",
  jsonl: "FORMAT json",
};

let attachCount = 0;

/**
 * Writes the rows of a query to a file or a database table. A file is written to a temporary name
 * beside it and renamed, so a reader never sees half of it and a failed write leaves the old file;
 * a table is replaced in one statement; an engine's table is appended to (`writeEngineRows`, over
 * the run's connection `engine`). `parquet`: a file that already holds exactly the query's rows as
 * DuckDB's Parquet writer writes them (`data/parquet-copies.ts`); a Parquet target is then a copy of
 * it (a clone where the file system can), and the query runs only if the copy fails. Returns a
 * description of where the rows went.
 */
export async function writeRows(db: Database, query: string, target: WriteTarget, engine?: (at: EngineAddress) => Promise<ClickHouseConnection>, parquet?: string): Promise<string> {
  if (target.kind === "engine") {
    if (!engine) throw new Error("writeRows: an engine table needs a connection");
    if (!target.url) throw new DataError(`\`table ${JSON.stringify(target.table)}\` alone writes to the engine the rows come from, and they come from none`, undefined, "missing-engine");
    await writeEngineRows(await engine(target), db, query, target.table);
    return `table ${target.table} on ${target.engine} (${target.url})`;
  }
  if (target.kind === "table") {
    const alias = `lathe_out_${++attachCount}`;
    try {
      mkdirSync(path.dirname(target.database), { recursive: true });
      await db.exec(`ATTACH ${literal(target.database)} AS ${ident(alias)}`);
    } catch (e) {
      throw new DataError(`cannot open the database ${target.database} to write: ${(e as Error).message.split("\n")[0]}`, target.database, "write-error");
    }
    try {
      await db.exec(`CREATE OR REPLACE TABLE ${ident(alias)}.${ident(target.table)} AS ${query}`);
    } finally {
      await db.exec(`DETACH ${ident(alias)}`);
    }
    return `table ${target.table} in ${target.database}`;
  }
  const format = outputFormatOf(target.path);
  if (!format) throw new DataError(`cannot tell the format to write from ${path.basename(target.path)}`, target.path, "unknown-format");
  const tmp = path.join(path.dirname(target.path), `.${path.basename(target.path)}.${process.pid}.tmp`);
  try {
    mkdirSync(path.dirname(target.path), { recursive: true });
    if (!(parquet && format === "parquet" && copied(parquet, tmp))) await db.exec(`COPY (${query}) TO ${literal(tmp)} (${copyOptions[format]})`);
    renameSync(tmp, target.path);
  } catch (e) {
    rmSync(tmp, { force: true, recursive: true });
    if (e instanceof DataError) throw e;
    // The rows could not be read (a source file read as they are written): the reader's error, not the write's.
    if (/^(Conversion|Invalid Input) Error: .*CSV Error on Line|^Invalid Input Error: .*\bfile\b/s.test((e as Error)?.message ?? "")) throw e;
    const err = e as NodeJS.ErrnoException;
    const why = err.code === "EACCES" ? "permission denied" : err.code === "ENOSPC" ? "no space left on the device" : err.code === "EISDIR" ? "it is a folder" : err.message.split("\n")[0];
    throw new DataError(`cannot write ${target.path}: ${why}`, target.path, "write-error");
  }
  return target.path;
}

/** Copies `from` to `to`; false (and nothing left at `to`) when it cannot, e.g. the file went (`lathe gc`). */
function copied(from: string, to: string): boolean {
  try {
    copyFileSync(from, to, constants.COPYFILE_FICLONE);
    return true;
  } catch {
    rmSync(to, { force: true });
    return false;
  }
}
