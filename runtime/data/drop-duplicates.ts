import { ident } from "../sql/quote.js";

/**
 * Whether `drop duplicates` can run in place on a staged table: DuckDB's `rowid` pseudo-column
 * numbers its rows in the order they were written, unless a column of that name hides it.
 */
export function canDropInPlace(columns: string[]): boolean {
  return !columns.some((c) => c.toLowerCase() === "rowid");
}

/**
 * The statement that removes, from a temporary table whose rows are in input order, every row
 * that repeats an earlier one (on `keys`: all its columns, or the `drop duplicates on` keys).
 *
 * The table keeps the first occurrence of each row and the rest in place, so its rows stay in input
 * order without a sort, and nothing but the removed rows' ids is written: the same rows, in the same
 * order, as `compileStep`'s query (a window numbering every row on one thread, then a sort), which
 * stays for views and chains that read no staged table. Rows are grouped as `GROUP BY` groups them
 * (missing values equal), as that query does; only groups that repeat list their row ids.
 * Never for a table a user's dataset lives in: the rows are deleted.
 */
export function dropDuplicatesInPlace(table: string, keys: string[]): string {
  const t = ident(table);
  const by = keys.map(ident).join(", ");
  return `DELETE FROM ${t} WHERE rowid IN (SELECT __lathe_row FROM (SELECT unnest(list(rowid)) AS __lathe_row, min(rowid) AS __lathe_first FROM ${t} GROUP BY ${by} HAVING count(*) > 1) WHERE __lathe_row > __lathe_first)`;
}
