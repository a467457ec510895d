import { createHash } from "node:crypto";
import { createReadStream, existsSync, statSync } from "node:fs";
import path from "node:path";
import type { SourceSpec } from "../../language/ast.js";
import { ident, literal } from "../sql/quote.js";

/** A user-facing data problem (missing file, unreadable rows): reported without a stack trace. */
export class DataError extends Error {
  override name = "DataError";
  constructor(
    message: string,
    readonly file?: string,
  ) {
    super(message);
  }
}

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
  if (existsSync(local) || /[*?[]/.test(p)) return local;
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
  const f = (explicit ?? path.extname(file.replace(/\.(gz|zst)$/, "")).slice(1)).toLowerCase();
  if (!readers[f]) throw new DataError(`cannot tell the format of ${file}: use one of ${Object.keys(readers).join(", ")} (\`format csv\`)`, file);
  return f;
}

/** The SQL that reads a source, with its options; paths and names are quoted. */
export function sourceSql(spec: SourceSpec, baseDir: string, optionValues: Record<string, string | number | boolean> = {}): { sql: string; files: string[] } {
  if (spec.kind === "sql") return { sql: `(${spec.query.value})`, files: [] };
  if (spec.kind === "table") {
    const db = resolveDataPath(spec.database.value, baseDir);
    if (!existsSync(db)) throw new DataError(`database file not found: ${db}`, db);
    return { sql: `(SELECT * FROM ${ident("lathe_src_" + hashText(db).slice(0, 8))}.${ident(spec.table.value)})`, files: [db] };
  }
  const file = resolveDataPath(spec.path.value, baseDir);
  const glob = /[*?[]/.test(spec.path.value);
  if (!glob && !existsSync(file)) throw new DataError(`file not found: ${spec.path.value} (looked in ${path.dirname(file)})`, file);
  const format = formatOf(file, spec.format?.text);
  const opts: string[] = [];
  if (format === "tsv") opts.push("delim = '\\t'");
  if (format === "ndjson" || format === "jsonl") opts.push("format = 'newline_delimited'");
  for (const [k, v] of Object.entries(optionValues)) {
    if (k === "delimiter") opts.push(`delim = ${literal(String(v))}`);
    else if (k === "header") opts.push(`header = ${literal(Boolean(v))}`);
    else if (k === "types") continue;
    else opts.push(`${k} = ${literal(v)}`);
  }
  return { sql: `${readers[format]}(${[literal(file), ...opts].join(", ")})`, files: glob ? [] : [file] };
}

/** A content fingerprint of data files (sha256 of their bytes), for the run record and cache keys. */
export async function fingerprint(files: string[]): Promise<string> {
  const h = createHash("sha256");
  for (const f of files) {
    h.update(f);
    h.update(String(statSync(f).size));
    await new Promise<void>((resolve, reject) => {
      createReadStream(f)
        .on("data", (d) => h.update(d))
        .on("end", resolve)
        .on("error", reject);
    });
  }
  return h.digest("hex");
}

/** sha256 of a string, hex. */
export function hashText(s: string): string {
  return createHash("sha256").update(s).digest("hex");
}
