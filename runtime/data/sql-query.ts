import { duckdb } from "./duckdb-module.js";

const { StatementType } = duckdb;
import { literal } from "../sql/quote.js";
import { DataError } from "../errors.js";
import type { Database } from "./database.js";

/** DuckDB's first line of an error, without its `Parser Error: ` prefix and the `LINE 1:` echo. */
function firstLine(e: unknown): string {
  const message = ((e as Error)?.message ?? String(e)).replace(/^Failed to extract statements: /, "");
  return message.split("\n")[0].replace(/^(Parser|Binder|Catalog|Invalid Input|Conversion|Permission|IO) Error: /, "");
}

const notAQuery = (message: string) => new DataError(`${message}; a \`sql\` source is one read-only query (SELECT ... or WITH ... SELECT ...)`, undefined, "sql-not-a-query");

/**
 * Checks that the text of a `sql` source is exactly one read-only query, with DuckDB's own parser,
 * and returns it as a parenthesised relation to select from. Refused with `sql-not-a-query`:
 * text that does not parse, several statements (`select 1; copy ... to 'x.sh'`), and any single
 * statement that is not a SELECT (COPY, ATTACH, INSERT, SET, PRAGMA, CALL, EXPLAIN, ...).
 *
 * With `bind`, the query is also prepared on `db`, whose catalog it may read (tables of earlier
 * notebook cells): DuckDB's statement type must be SELECT and the query may take no parameters;
 * a query that does not bind is `sql-error`. Without it (the planner, which holds no catalog), the
 * check is by parsing alone: DuckDB serialises only SELECT statements to JSON.
 */
export async function readOnlyQuery(db: Database, text: string, options: { bind?: boolean } = {}): Promise<string> {
  let count: number;
  let extracted;
  try {
    extracted = await db.connection.extractStatements(text);
    count = extracted.count;
  } catch (e) {
    // DuckDB's C API reports text with no statement at all as a bare failure.
    if (!/Parser Error/.test((e as Error)?.message ?? "")) throw notAQuery("the query is empty");
    throw notAQuery(`the query does not parse: ${firstLine(e)}`);
  }
  if (count === 0) throw notAQuery("the query is empty");
  if (count > 1) throw notAQuery(`the text holds ${count} statements`);
  const [serialised] = await db.rows(`SELECT json_serialize_sql(${literal(text)}) AS j`);
  const parsed = JSON.parse(String(serialised.j)) as { error?: boolean; error_message?: string; statements?: unknown[] };
  if (parsed.error || parsed.statements?.length !== 1) {
    // Preparing binds but does not run the statement: it names what the statement is.
    const kind = options.bind ? await extracted.prepare(0).then((p) => { const t = StatementType[p.statementType]; p.destroySync(); return t; }, () => undefined) : undefined;
    throw notAQuery(`the statement is ${kind && kind !== "SELECT" ? `${kind}, ` : ""}not a SELECT${parsed.error_message && !/Only SELECT/.test(parsed.error_message) ? ` (${parsed.error_message})` : ""}`);
  }
  if (options.bind) {
    let prepared;
    try {
      prepared = await extracted.prepare(0);
    } catch (e) {
      throw new DataError(firstLine(e), undefined, "sql-error");
    }
    try {
      if (prepared.statementType !== StatementType.SELECT) throw notAQuery(`the statement is ${StatementType[prepared.statementType] ?? "not a SELECT"}`);
      if (prepared.parameterCount > 0) throw notAQuery(`the query takes ${prepared.parameterCount} parameter(s) (\`?\` or \`$1\`), which a source cannot supply`);
    } finally {
      prepared.destroySync();
    }
  }
  // The text goes inside parentheses on lines of its own, so a trailing `--` comment cannot swallow
  // the closing parenthesis; a trailing `;` would end the statement early, so it goes.
  const body = text.replace(/;\s*(--[^\n]*\s*)*$/, "").replace(/[\s;]+$/, "");
  const relation = `(\n${body}\n)`;
  const wrapped = await db.connection.extractStatements(`SELECT * FROM ${relation}`).catch(() => undefined);
  if (wrapped?.count !== 1) throw notAQuery("the query cannot be used as a subquery (does it end in a comment after `;`?)");
  return relation;
}
