import { createHash } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import type { OptionEntry, SourceSpec } from "../../language/ast.js";
import { sourceFormatOf, sourceFormats, sourceOptionValue, sourceOptions, type OptionInput } from "../../language/catalog.js";
import { castType } from "../../language/checker.js";
import { DataError, duckDBMemoryError } from "../errors.js";
import { FileDigests, watchFile } from "../file-digests.js";
import type { DataErrorCode } from "./data-error.js";
import { Database } from "./database.js";
import { statDataFile } from "./file-access.js";
import { checkDataFile } from "./file-check.js";
import { csvBufferBytes } from "./csv-buffer.js";
import { expandGlob, isGlob } from "./glob.js";
import { readOnlyQuery } from "./sql-query.js";
import { ident, literal } from "../sql/quote.js";

// The error class lives in runtime/errors.ts with the other coded user errors; many modules import it from here.
export { DataError };

const readers: Record<string, string> = {
  csv: "read_csv",
  tsv: "read_csv",
  json: "read_json_auto",
  ndjson: "read_json_auto",
  jsonl: "read_json_auto",
  parquet: "read_parquet",
};

/**
 * Finds a data file: relative to the program's folder first, then as a path inside an installed
 * package (`vega-datasets/data/penguins.json`), the way an import specifier resolves.
 */
export function resolveDataPath(p: string, baseDir: string): string {
  if (path.isAbsolute(p)) return p;
  const local = path.resolve(baseDir, p);
  if (existsSync(local) || isGlob(p)) return local;
  const parts = p.split("/");
  const pkg = parts[0].startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
  // Walk up like Node's resolver; packages may not export package.json, so look for the folder itself.
  for (let dir = path.resolve(baseDir); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, "node_modules", pkg, p.slice(pkg.length + 1));
    if (existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) break;
  }
  return local;
}

/** The format of a file from an explicit `format` or its extension. */
export function formatOf(file: string, explicit?: string): string {
  const f = sourceFormatOf(file, explicit);
  if (!f) throw new DataError(`cannot tell the format of ${file}: use one of ${sourceFormats.join(", ")} (\`format csv\`)`, file, "file-format-unknown");
  return f;
}

/** What `sourceSql` gives: the relation to select from, the files it reads, and a database to attach first. */
export interface SourceRelation {
  sql: string;
  files: string[];
  attach?: { alias: string; file: string };
  /** The file format, for file sources. */
  format?: string;
  /** A single csv/tsv file's reader arguments (the quoted file, then `name = value` options), for `csvSniffedRead`. */
  csv?: { file: string; target: string; options: string[] };
}

/**
 * The SQL that reads a source, with its `with { ... }` options; paths, names and values are quoted.
 * Files are checked first (`checkDataFile`): a missing, non-regular, empty, binary or malformed
 * file is a coded DataError before DuckDB reads it. A glob is expanded once, by DuckDB's `glob()`,
 * and the source reads that list. A `sql` source must be one read-only query (`readOnlyQuery`).
 *
 * `db` is the database the source will be read in: a `sql` query is bound against its catalog.
 * Without one (the planner), a scratch database parses the query and expands globs.
 */
export async function sourceSql(spec: SourceSpec, baseDir: string, options: { db?: Database; optionValues?: Record<string, OptionInput> } = {}): Promise<SourceRelation> {
  if (spec.kind === "sql") return { sql: await readOnlyQuery(options.db ?? (await Database.scratch()), spec.query.value, { bind: options.db !== undefined }), files: [] };
  // An engine's table is read on the engine (ops/load.ts, data/engine-split.ts), never attached as a file.
  if (spec.kind === "table" && spec.engine) throw new DataError(`table ${JSON.stringify(spec.table.value)} is on ${spec.engine.text}, not in a DuckDB file`, undefined, "engine-unsupported");
  if (spec.kind === "table") {
    const db = resolveDataPath(spec.database.value, baseDir);
    statDataFile(db, spec.database.value);
    const alias = "lathe_src_" + hashText(db).slice(0, 8);
    return { sql: `(SELECT * FROM ${ident(alias)}.${ident(spec.table.value)})`, files: [db], attach: { alias, file: db } };
  }
  const file = resolveDataPath(spec.path.value, baseDir);
  // A file whose name holds `[` or `*` is that file when it exists, not a pattern.
  const glob = isGlob(spec.path.value) && !existsSync(file);
  const files = glob ? await expandGlob(options.db ?? (await Database.scratch()), file) : [file];
  if (glob && !files.length) throw new DataError(`no files match ${spec.path.value} (looked in ${path.dirname(file)})`, file, "file-not-found");
  const format = formatOf(file, spec.format?.text);
  const values = options.optionValues ?? optionsOf(spec.options);
  for (const f of files) await checkDataFile(f, format, { header: typeof values.header === "boolean" ? values.header : undefined, shown: glob ? f : spec.path.value });
  const opts: string[] = [];
  if (format === "tsv") opts.push("delim = '\\t'");
  if (format === "csv" || format === "tsv") opts.push(`buffer_size = ${csvBufferBytes(files)}`, `max_line_size = ${csvMaxLineBytes}`);
  if (format === "ndjson" || format === "jsonl") opts.push("format = 'newline_delimited'");
  let casts: [string, string][] = [];
  for (const [k, v] of Object.entries(values)) {
    // JSON and Parquet readers take no partial type override: the columns are cast after reading.
    if (k === "types" && format !== "csv" && format !== "tsv") casts = columnTypes(v, file);
    else opts.push(readerOption(format, k, v, file));
  }
  const target = glob ? `[${files.map((f) => literal(f)).join(", ")}]` : literal(file);
  const read = `${readers[format]}(${[target, ...opts].join(", ")})`;
  if (!casts.length) return { sql: read, files, format, ...((format === "csv" || format === "tsv") && !glob ? { csv: { file, target, options: opts } } : {}) };
  return { sql: `(SELECT * REPLACE (${casts.map(([c, t]) => `CAST(${ident(c)} AS ${t}) AS ${ident(c)}`).join(", ")}) FROM ${read})`, files, format };
}

/**
 * DuckDB's own line limit, said outright: with a `buffer_size` given, DuckDB 1.5 lets a line grow
 * to the buffer (a 3 MB line then read without error), and a line that long is a broken file far
 * more often than data (`csv-malformed`, test/reliability/bad-data.test.ts).
 */
const csvMaxLineBytes = 2 << 20;

/** DuckDB's read_csv parameters that make up a file's dialect, with the `sniff_csv` field that holds each. */
const dialectFields: [string, string][] = [
  ["delim", "Delimiter"],
  ["quote", "Quote"],
  ["escape", "Escape"],
  ["comment", "Comment"],
  ["skip", "SkipRows"],
  ["header", "HasHeader"],
  ["new_line", "NewLineDelimiter"],
];

/** Reader options that only guide the sniffer's choice of column types: a read given `columns` takes the types it chose (and DuckDB refuses `types` beside `columns`). */
const typeGuides = new Set(["types", "all_varchar", "sample_size"]);

/**
 * The csv read with what DuckDB's sniffer finds said outright — the dialect, the column names and
 * types, the date and timestamp formats — and `auto_detect = false`, so later reads of the same file
 * (the check's `DESCRIBE`, a lazy source's view, the read itself) bind it without sniffing again:
 * one `sniff_csv`, as a hand-written `read_csv` sniffs once. Finding the dialect tries every
 * delimiter, quote and escape candidate over every column (≈ 7 ms a column: a 1,500-column file took
 * 13 s each time it was read), and finding the types parses a sample: ≈ 35 ms of one thread per bind
 * of the bench's 166 MB file. The read gets the types the file's own `read_csv` would (the same sniffer,
 * the same options); options the program gave stay as given, but for those `typeGuides` names.
 * `settledMs`: how long before its sniff a file must have last changed to be remembered (tests set 0).
 */
export async function csvSniffedRead(db: Database, csv: NonNullable<SourceRelation["csv"]>, options: { settledMs?: number } = {}): Promise<string> {
  // Remembered by the file's state (as `FileDigests` remembers digests): a cell run again in a
  // kernel, or a program run twice in one process, does not sniff an unchanged file again.
  const watch = watchFile(csv.file, options.settledMs);
  const key = [csv.file, watch.key, csv.target, ...csv.options].join("\0");
  const known = sniffedReads.get(key);
  if (known !== undefined) return known;
  const read = await sniffRead(db, csv);
  // Changed while sniffed, or too recently to trust its state: not remembered.
  if (watch.settled()) {
    if (sniffedReads.size >= 256) sniffedReads.delete(sniffedReads.keys().next().value!);
    sniffedReads.set(key, read);
  }
  return read;
}

/** `csvSniffedRead`'s reads by file, file state and reader arguments; the oldest goes past 256. */
const sniffedReads = new Map<string, string>();

async function sniffRead(db: Database, csv: NonNullable<SourceRelation["csv"]>): Promise<string> {
  const [found] = await db.rows(`SELECT ${dialectFields.map(([, f]) => f).join(", ")}, Columns, DateFormat, TimestampFormat FROM sniff_csv(${[csv.target, ...csv.options].join(", ")})`);
  const optionName = (o: string) => /^(\w+) =/.exec(o)?.[1];
  const given = new Set(csv.options.map(optionName));
  const dialect = dialectFields.flatMap(([param, field]) => {
    const v = found[field];
    if (given.has(param)) return [];
    if (param === "skip") return [`skip = ${Number(v)}`];
    if (param === "header") return [`header = ${v === true}`];
    // A file without a line break has none to say.
    if (param === "new_line") return v === "(empty)" || typeof v !== "string" ? [] : [`new_line = ${literal(v)}`];
    return [`${param} = ${literal(v === "(empty)" ? "" : String(v))}`];
  });
  const columns = (found.Columns as { name: string; type: string }[]).map((c) => `${literal(c.name)}: ${literal(c.type)}`);
  // The formats the sniffer found for date and timestamp columns (none: ISO), unless the program set them.
  const formats = ([["dateformat", found.DateFormat], ["timestampformat", found.TimestampFormat]] as const).flatMap(([param, v]) => (typeof v === "string" && !given.has(param) ? [`${param} = ${literal(v)}`] : []));
  const kept = csv.options.filter((o) => !typeGuides.has(optionName(o) ?? ""));
  return `read_csv(${[csv.target, ...kept, ...dialect, "auto_detect = false", `columns = {${columns.join(", ")}}`, ...formats].join(", ")})`;
}

/** The option block of a source as plain values. */
export function optionsOf(entries: OptionEntry[]): Record<string, OptionInput> {
  return Object.fromEntries(entries.map((e) => [e.key.text, sourceOptionValue(e.values)]));
}

/** DuckDB's parameter for each Lathe option (the options and their kinds are the language's: `sourceOptions`). */
const duckParams: Record<string, string> = {
  delimiter: "delim",
  header: "header",
  types: "types",
  skip: "skip",
  quote: "quote",
  escape: "escape",
  comment: "comment",
  na_values: "nullstr",
  date_format: "dateformat",
  timestamp_format: "timestampformat",
  decimal: "decimal_separator",
  all_text: "all_varchar",
  ignore_errors: "ignore_errors",
  sample_size: "sample_size",
  union_by_name: "union_by_name",
  filename: "filename",
};

/** Short names for delimiters that are awkward to write in a string. */
const delimiterNames: Record<string, string> = { tab: "\t", comma: ",", semicolon: ";", pipe: "|", space: " " };

/** DuckDB types a `types` option may name, beyond Lathe's `cast` types. */
const duckTypes = new Set(["DOUBLE", "FLOAT", "REAL", "BIGINT", "INTEGER", "SMALLINT", "TINYINT", "HUGEINT", "UBIGINT", "UINTEGER", "VARCHAR", "BOOLEAN", "DATE", "TIME", "TIMESTAMP", "TIMESTAMPTZ", "INTERVAL", "BLOB", "UUID"]);

function readerOption(format: string, key: string, value: OptionInput, file: string): string {
  const spec = sourceOptions[format][key];
  if (!spec) throw new DataError(`${format} sources take no option \`${key}\`; they take ${Object.keys(sourceOptions[format]).join(", ") || "none"}`, file);
  const param = duckParams[key];
  const bad = (want: string) => new DataError(`option \`${key}\` takes ${want}, got ${JSON.stringify(value)}`, file);
  switch (spec.kind) {
    case "string": {
      if (typeof value !== "string") throw bad("a string");
      return `${param} = ${literal(key === "delimiter" ? (delimiterNames[value] ?? value.replace("\\t", "\t")) : value)}`;
    }
    case "boolean":
      if (typeof value !== "boolean") throw bad("true or false");
      return `${param} = ${literal(value)}`;
    case "integer":
      if (typeof value !== "number" || !Number.isInteger(value) || value < 0) throw bad("a whole number");
      return `${param} = ${literal(value)}`;
    case "strings": {
      const list = Array.isArray(value) ? value : [value];
      if (!list.every((x) => typeof x === "string")) throw bad("a string or a list of strings");
      return `${param} = [${list.map((x) => literal(x as string)).join(", ")}]`;
    }
    case "types":
      return `${param} = {${columnTypes(value, file).map(([c, t]) => `${literal(c)}: ${literal(t)}`).join(", ")}}`;
  }
}

/** `types: ["price double", "day date"]` as (column, DuckDB type) pairs: the last word is the type. */
function columnTypes(value: OptionInput, file: string): [string, string][] {
  const list = Array.isArray(value) ? value : [value];
  return list.map((x) => {
    const m = typeof x === "string" ? /^\s*(.+?)\s*:?\s+([A-Za-z]+)\s*$/.exec(x) : null;
    if (!m) throw new DataError(`option \`types\` takes a list of "column type" strings, got ${JSON.stringify(x)}`, file);
    const t = castType(m[2])?.sql ?? m[2].toUpperCase();
    if (!duckTypes.has(t)) throw new DataError(`unknown type \`${m[2]}\` for column \`${m[1]}\` in option \`types\``, file);
    return [m[1], t];
  });
}

/** DuckDB's kinds of read failure, as Lathe's codes, with the advice that goes with each (in Lathe's option names). */
const readFailures: { test: RegExp; code: DataErrorCode; hint?: string }[] = [
  { test: /not utf-8 encoded|Invalid unicode/i, code: "file-not-text", hint: "Lathe reads UTF-8 text: save the file as UTF-8" },
  { test: /could not convert|Conversion Error|Error when converting/i, code: "value-conversion", hint: "read the column as text (`with { types: [\"COLUMN varchar\"] }`) and clean it in a prepare step, or skip such lines with `with { ignore_errors: true }`" },
  { test: /It was not possible to automatically detect the CSV parsing dialect|Error when sniffing/, code: "csv-malformed", hint: "DuckDB could not tell how the lines are laid out: set `delimiter`, `quote` and `header` in `with { }`" },
  { test: /Maximum line size/i, code: "csv-malformed", hint: "a line is longer than 2,000,000 bytes: is this a text table?" },
  { test: /CSV Error on Line|Expected Number of Columns|unterminated quote/i, code: "csv-malformed", hint: "fix the line, or skip lines that do not parse with `with { ignore_errors: true }`" },
  { test: /Malformed JSON/, code: "json-malformed" },
  { test: /No magic bytes|Parquet file|parquet metadata|Footer length|footer/i, code: "parquet-malformed" },
  { test: /not a GZIP stream|gzip|zstd|decompress/i, code: "file-compression" },
  { test: /Permission Error|Permission denied/i, code: "file-unreadable" },
  { test: /No files found that match/, code: "file-not-found" },
];

/**
 * A read failure as a coded DataError naming the file and, where DuckDB says it, the line:
 * `data/x.csv, line 3: could not convert "oops" to BIGINT in column "b" (the line: 3,oops)`.
 * DuckDB's fix-it hints name its own options (`strict_mode=false`, `encoding='UTF-16'`), which
 * Lathe does not take: they are replaced by advice in Lathe's terms.
 */
export function readError(e: unknown, file?: string): DataError {
  if (e instanceof DataError) return e;
  // Running out of memory while reading is the limit the user set, not a fault of the file.
  const memory = duckDBMemoryError(e);
  if (memory) return new DataError(file ? `${file}: ${memory.message}` : memory.message, file, memory.code);
  const message = (e as Error)?.message ?? String(e);
  // With a glob the file at fault is only known to DuckDB.
  file = /^\s*file = (.+)$/m.exec(message)?.[1] ?? /in file "([^"]+)"/.exec(message)?.[1] ?? /file '([^']+)'/.exec(message)?.[1] ?? file;
  const lines = message.split("\n");
  const line = /CSV Error on Line: (\d+)/.exec(message)?.[1] ?? /\bin line (\d+)/.exec(message)?.[1];
  // DuckDB echoes the offending line, which may itself span lines (an open quote), up to a blank line.
  const at = lines.findIndex((l) => l.startsWith("Original Line: "));
  const end = at < 0 ? -1 : lines.findIndex((l, i) => i > at && (!l.trim() || /^(Expected|Possible|Value with|Invalid|Maximum|Error|Could|The |This |Column |\* )/.test(l)));
  const echoed = at < 0 ? [] : lines.slice(at, end < 0 ? at + 1 : end);
  const original = at < 0 ? undefined : echoed.join("\n").slice("Original Line: ".length).trim().replace(/\r?\n|\r/g, "\\n");
  // The sentence that says what is wrong: skip the line echo, DuckDB's hints and the sniffer's settings dump.
  const detail = lines
    .filter((l) => !echoed.includes(l))
    .map((l) => l.replace(/^(Invalid Input|Conversion|IO|Binder|Parser|Permission|Catalog) Error: /, "").trim())
    .filter((l) => l && !/^(CSV Error on Line|Original Line|Possible (fixes|[Ss]olutions?)|\*|LINE \d+:|\^|Column .* is being converted|This type was|The search space|Delimiter Candidates|Quote\/Escape Candidates|Comment Candidates|Encoding:)/.test(l) && !/^\w+ = /.test(l))
    .slice(0, 2)
    .join("; ");
  const kind = readFailures.find((f) => f.test.test(message));
  const where = file ? `${file}${line ? `, line ${line}` : ""}: ` : line ? `line ${line}: ` : "";
  const echo = original !== undefined ? ` (the line: ${original.slice(0, 120)})` : "";
  return new DataError(`${where}${detail}${echo}${kind?.hint ? `; ${kind.hint}` : ""}`, file, kind?.code ?? "data-error");
}

/** File digests remembered in this process only, for callers with no run store. */
const processDigests = new FileDigests();

/**
 * A content fingerprint of data files (sha256 over each file's path, size and sha256), for the run
 * record and cache keys. A file is read again only when its state changed (`FileDigests`): re-running
 * a cell, or a program in a project whose run store remembers it, does not re-read a large file.
 */
export async function fingerprint(files: string[], digests: FileDigests = processDigests): Promise<string> {
  const h = createHash("sha256");
  for (const f of files) {
    const { size } = statSync(f);
    h.update(`${f}\0${size}\0${await digests.sha256(f)}\n`);
  }
  return h.digest("hex");
}

/** sha256 of a string, hex. */
export function hashText(s: string): string {
  return createHash("sha256").update(s).digest("hex");
}
