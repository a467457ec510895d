import { literal } from "../sql/quote.js";
import { DataError } from "../errors.js";
import type { Database } from "./database.js";
import { readBytes } from "./file-access.js";
import { readError } from "./source.js";

const delimiters = [",", ";", "\t", "|"];

/**
 * Makes sure DuckDB's sniffer really parsed a csv source, and turns its silent fallbacks into errors
 * naming the file and line. When the rows do not fit one dialect (a row with an extra field, a
 * quote that never closes), the sniffer settles for reading each line as one column (named after
 * the whole header, `a,b,label`) or for reading quotes as text. Either way the file is read again
 * in the dialect it evidently has, strictly, to get DuckDB's error for the line at fault.
 */
export async function checkCsvColumns(db: Database, files: string[], format: string, columns: string[], userOptions: Record<string, unknown>): Promise<void> {
  if (!files.length) return;
  const target = `[${files.map((f) => literal(f)).join(", ")}]`;
  const strict = async (delim: string, names: string[], header: boolean) => {
    const cols = `{${names.map((n, i) => `${literal(n || `column${i}`)}: 'VARCHAR'`).join(", ")}}`;
    try {
      await db.rows(`SELECT count(*) AS n FROM read_csv(${target}, auto_detect = false, delim = ${literal(delim)}, quote = '"', escape = '"', header = ${header}, columns = ${cols})`);
    } catch (e) {
      throw readError(e, files.length === 1 ? files[0] : undefined);
    }
  };
  if (columns.length === 1 && userOptions.delimiter === undefined && format !== "tsv") {
    const name = columns[0];
    const delim = delimiters.map((d) => [d, name.split(d).length - 1] as const).sort((a, b) => b[1] - a[1])[0];
    if (delim[1] > 0) {
      await strict(delim[0], name.split(delim[0]), true);
      throw new DataError(`${files[0]}: DuckDB read each line as one column named ${JSON.stringify(name)}: the lines do not all split the same way; set \`delimiter\` in \`with { }\``, files[0], "csv-malformed");
    }
  }
  if (userOptions.quote !== undefined) return;
  const head = readBytes(files[0], 0, 1 << 16).toString("utf8");
  const delimiter = format === "tsv" ? "\t" : typeof userOptions.delimiter === "string" ? userOptions.delimiter : undefined;
  // A field that starts with `"` is a quoted field; if DuckDB settled for no quoting, check the quotes close.
  if (!/(^|[,;\t|])"/m.test(head)) return;
  const [sniffed] = await db.rows(`SELECT Delimiter AS d, Quote AS q, HasHeader AS h FROM sniff_csv(${literal(files[0])}${delimiter ? `, delim = ${literal(delimiter)}` : ""})`);
  if (!sniffed || (sniffed.q !== "(empty)" && sniffed.q !== "")) return;
  const header = userOptions.header === undefined ? sniffed.h === true : userOptions.header === true;
  await strict(String(sniffed.d), columns, header);
}
