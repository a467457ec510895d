import { createHash } from "node:crypto";
import { createReadStream, existsSync, statSync } from "node:fs";
import path from "node:path";
import type { OptionEntry, SourceSpec } from "../../language/ast.js";
import { sourceFormatOf, sourceFormats, sourceOptionValue, sourceOptions, type OptionInput } from "../../language/catalog.js";
import { castType } from "../../language/checker.js";
import { expandGlob, isGlob } from "./glob.js";
import { ident, literal } from "../sql/quote.js";

import { DataError } from "../errors.js";

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
  if (!f) throw new DataError(`cannot tell the format of ${file}: use one of ${sourceFormats.join(", ")} (\`format csv\`)`, file);
  return f;
}

/** What `sourceSql` gives: the relation to select from, the files it reads, and a database to attach first. */
export interface SourceRelation {
  sql: string;
  files: string[];
  attach?: { alias: string; file: string };
}

/** The SQL that reads a source, with its `with { ... }` options; paths, names and values are quoted. */
export function sourceSql(spec: SourceSpec, baseDir: string, optionValues?: Record<string, OptionInput>): SourceRelation {
  if (spec.kind === "sql") return { sql: `(${spec.query.value})`, files: [] };
  if (spec.kind === "table") {
    const db = resolveDataPath(spec.database.value, baseDir);
    if (!existsSync(db)) throw new DataError(`database file not found: ${db}`, db);
    const alias = "lathe_src_" + hashText(db).slice(0, 8);
    return { sql: `(SELECT * FROM ${ident(alias)}.${ident(spec.table.value)})`, files: [db], attach: { alias, file: db } };
  }
  const file = resolveDataPath(spec.path.value, baseDir);
  const glob = isGlob(spec.path.value);
  const files = glob ? expandGlob(file) : [file];
  if (glob && !files.length) throw new DataError(`no files match ${spec.path.value} (looked in ${path.dirname(file)})`, file);
  if (!glob && !existsSync(file)) throw new DataError(`file not found: ${spec.path.value} (looked in ${path.dirname(file)})`, file);
  const format = formatOf(file, spec.format?.text);
  const opts: string[] = [];
  if (format === "tsv") opts.push("delim = '\\t'");
  if (format === "ndjson" || format === "jsonl") opts.push("format = 'newline_delimited'");
  const values = optionValues ?? optionsOf(spec.options);
  let casts: [string, string][] = [];
  for (const [k, v] of Object.entries(values)) {
    // JSON and Parquet readers take no partial type override: the columns are cast after reading.
    if (k === "types" && format !== "csv" && format !== "tsv") casts = columnTypes(v, file);
    else opts.push(readerOption(format, k, v, file));
  }
  const read = `${readers[format]}(${[literal(file), ...opts].join(", ")})`;
  if (!casts.length) return { sql: read, files };
  return { sql: `(SELECT * REPLACE (${casts.map(([c, t]) => `CAST(${ident(c)} AS ${t}) AS ${ident(c)}`).join(", ")}) FROM ${read})`, files };
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

/**
 * A read failure as a DataError naming the file and, where DuckDB says it, the line:
 * `data/x.csv, line 3: could not convert "oops" to BIGINT in column "b" (the line: 3,oops)`.
 */
export function readError(e: unknown, file?: string): DataError {
  const message = (e as Error)?.message ?? String(e);
  // With a glob the file at fault is only known to DuckDB.
  file = /^\s*file = (.+)$/m.exec(message)?.[1] ?? /in file "([^"]+)"/.exec(message)?.[1] ?? file;
  const lines = message.split("\n");
  const line = /CSV Error on Line: (\d+)/.exec(message)?.[1] ?? /\bin line (\d+)/.exec(message)?.[1];
  const original = /^Original Line: (.*)$/m.exec(message)?.[1];
  // The sentence that says what is wrong: skip the line echo, fix-it hints and the sniffer's settings dump.
  const detail = lines
    .map((l) => l.replace(/^(Invalid Input|Conversion|IO|Binder|Parser) Error: /, "").trim())
    .filter((l) => l && !/^(CSV Error on Line|Original Line|Possible fixes|\*|LINE \d+:|\^|Column .* is being converted|This type was)/.test(l) && !/^\w+ = /.test(l))
    .slice(0, 2)
    .join("; ");
  const where = file ? `${file}${line ? `, line ${line}` : ""}: ` : line ? `line ${line}: ` : "";
  return new DataError(`${where}${detail}${original !== undefined ? ` (the line: ${original.slice(0, 120)})` : ""}`, file);
}

/** File digests already computed in this process, by path; reused while size and mtime are unchanged. */
const digests = new Map<string, { size: number; mtimeMs: number; digest: string }>();

/**
 * A content fingerprint of data files (sha256 over each file's path, size and sha256), for the run
 * record and cache keys. A file's digest is remembered while its size and mtime stay the same, so
 * re-running a cell does not re-read a large file.
 */
export async function fingerprint(files: string[]): Promise<string> {
  const h = createHash("sha256");
  for (const f of files) {
    const { size, mtimeMs } = statSync(f);
    let known = digests.get(f);
    if (!known || known.size !== size || known.mtimeMs !== mtimeMs) {
      const fh = createHash("sha256");
      await new Promise<void>((resolve, reject) => {
        createReadStream(f, { highWaterMark: 1 << 20 })
          .on("data", (d) => fh.update(d))
          .on("end", resolve)
          .on("error", reject);
      });
      known = { size, mtimeMs, digest: fh.digest("hex") };
      digests.set(f, known);
    }
    h.update(`${f}\0${size}\0${known.digest}\n`);
  }
  return h.digest("hex");
}

/** sha256 of a string, hex. */
export function hashText(s: string): string {
  return createHash("sha256").update(s).digest("hex");
}
