import { literal } from "../sql/quote.js";
import { DataError } from "../errors.js";
import type { Database } from "./database.js";
import { readBytes } from "./file-access.js";
import { readError } from "./source.js";

const delimiters = [",", ";", "\t", "|"];

/** The fields of one csv line, with `"` quoting (`""` inside quotes is a quote). */
function splitLine(line: string, delim: string): string[] {
  const out: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') (field += '"'), i++;
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field === "") quoted = true;
    else if (ch === delim) out.push(field), (field = "");
    else field += ch;
  }
  out.push(field);
  return out;
}

/**
 * Makes sure DuckDB's sniffer really parsed a csv source, and turns its silent fallbacks into errors
 * naming the file and line. When the rows do not fit one dialect (a row with an extra field, a
 * quote that never closes), the sniffer settles for something that reads: each line as one column
 * named after the whole header (`a,b,label`), skipping every line before the odd row, or quotes
 * read as text. So when the columns DuckDB found are not the fields of the file's first line, or it
 * dropped quoting although fields start with `"`, the file is read again in the dialect it
 * evidently has, strictly, to get DuckDB's error for the line at fault.
 */
export async function checkCsvColumns(db: Database, files: string[], format: string, columns: string[], userOptions: Record<string, unknown>): Promise<void> {
  if (!files.length || userOptions.skip !== undefined || userOptions.union_by_name === true) return;
  const head = readBytes(files[0], 0, 1 << 16).toString("utf8").replace(/^\ufeff/, "");
  const first = head.split(/\r?\n|\r/).find((l) => l.trim()) ?? "";
  const given = format === "tsv" ? "\t" : typeof userOptions.delimiter === "string" ? userOptions.delimiter : undefined;
  const delim = given ?? delimiters.map((d) => [d, splitLine(first, d).length] as const).sort((a, b) => b[1] - a[1])[0][0];
  const names = splitLine(first, delim);
  const header = userOptions.header !== false;
  const target = `[${files.map((f) => literal(f)).join(", ")}]`;
  const strict = async (quote: string, cols: string[]) => {
    const spec = `{${cols.map((n, i) => `${literal(header && n ? n : `column${i}`)}: 'VARCHAR'`).join(", ")}}`;
    try {
      await db.rows(`SELECT count(*) AS n FROM read_csv(${target}, auto_detect = false, delim = ${literal(delim)}, quote = ${literal(quote)}, escape = ${literal(quote)}, header = ${header}, columns = ${spec})`);
    } catch (e) {
      throw readError(e, files.length === 1 ? files[0] : undefined);
    }
  };
  const found = columns.length - (userOptions.filename === true ? 1 : 0);
  if (names.length !== found && names.length > 1 && new Set(names).size === names.length) {
    await strict('"', names);
    throw new DataError(`${files[0]}: its first line has ${names.length} fields but DuckDB could only read the file as ${found} column${found === 1 ? "" : "s"}, by skipping or merging lines; check the \`delimiter\`, or \`skip\` lines before the header`, files[0], "csv-malformed");
  }
  if (userOptions.quote !== undefined) return;
  // A field that starts with `"` is a quoted field; if DuckDB settled for no quoting, check the quotes close.
  if (!new RegExp(`(^|[${delim === "\t" ? "\\t" : delim === "|" ? "\\|" : delim}])"`, "m").test(head)) return;
  const [sniffed] = await db.rows(`SELECT Quote AS q FROM sniff_csv(${literal(files[0])}, delim = ${literal(delim)})`);
  if (sniffed && (sniffed.q === "(empty)" || sniffed.q === "")) await strict('"', columns);
}
