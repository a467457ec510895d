import { ident, literal } from "../sql/quote.js";
import type { Database } from "./database.js";
import { trainMemoryBudget } from "../train-budget.js";

/**
 * Whether `drop duplicates` can run in place on a staged table: DuckDB's `rowid` pseudo-column
 * numbers its rows in the order they were written, unless a column of that name hides it.
 */
export function canDropInPlace(columns: string[]): boolean {
  return !columns.some((c) => c.toLowerCase() === "rowid");
}

let groupsCount = 0;

/**
 * Removes, from a temporary table whose rows are in input order (`rows` of them), every row that
 * repeats an earlier one (on `keys`: all its columns, or the `drop duplicates on` keys); gives how many went.
 *
 * The table keeps the first occurrence of each row and the rest in place, so its rows stay in input
 * order without a sort, and nothing but the removed rows' ids is written: the same rows, in the same
 * order, as `compileStep`'s query (a window numbering every row on one thread, then a sort), which
 * stays for views and chains that read no staged table. Rows are grouped as `GROUP BY` groups them
 * (missing values equal), as that query does.
 *
 * In two passes, because grouping every row on all its columns (strings and all) cost more than the
 * whole `SELECT DISTINCT` of a hand-written pipeline: first the rows whose 64-bit `hash()` of the
 * keys another row shares are found — DuckDB's own hash, the one its `GROUP BY` uses, so rows that
 * group together hash alike (0 and -0, NaNs, nested values; not strings under a collation, which go
 * the old way). Then those candidates alone are grouped on the keys themselves, so rows that merely
 * share a hash stay apart.
 *
 * The first pass runs in the native module where it can (`Database.repeatedHashRows`: the hashes
 * computed by DuckDB, then searched in partitions: ≈ 0.4 s for 5M rows where
 * DuckDB's GROUP BY of them took ≈ 0.9 s on two threads). Its twin, wherever the module is not (or
 * LATHE_KERNELS=js, or for more rows than memory allows), is that GROUP BY: each group's first and last row id and its size, for the
 * groups of more than one row; a group of two hashes is then its two row ids, a larger one (rare)
 * is found by hashing the rows again. Both delete the same rows.
 * Never for a table a user's dataset lives in: the rows are deleted.
 */
export async function dropDuplicatesInPlace(db: Database, table: string, keys: string[], rows: number): Promise<number> {
  const t = ident(table);
  const by = keys.map(ident).join(", ");
  const byColumns = async (where: string) =>
    Number((await db.rows(`DELETE FROM ${t} WHERE rowid IN (SELECT __lathe_row FROM (SELECT unnest(list(rowid)) AS __lathe_row, min(rowid) AS __lathe_first FROM ${t}${where} GROUP BY ${by} HAVING count(*) > 1) WHERE __lathe_row > __lathe_first)`))[0].Count);
  // A collated column (`x COLLATE NOCASE`, from a `sql` source) groups 'A' with 'a', which `hash()`
  // tells apart: such a table is grouped on its columns in one pass, as before.
  const [created] = await db.rows(`SELECT sql FROM duckdb_tables() WHERE table_name = ${literal(table)} AND temporary`);
  if (!created || /\bCOLLATE\b/i.test(String(created.sql))) return byColumns("");
  const groupsName = `__lathe_repeats_${++groupsCount}`;
  const groups = ident(groupsName);
  try {
    // The native search holds ≈ 32 bytes a row (DuckDB's result of hashes and row ids, then their
    // copy in partitions, outside DuckDB's memory limit): beyond the training budget
    // (docs/larger-than-memory.md) the GROUP BY, which spills to disk, finds the rows instead.
    const repeated = rows * 32 <= trainMemoryBudget() ? await db.repeatedHashRows(`SELECT hash(${by}) AS k, rowid AS r FROM ${t}`, rows) : undefined;
    if (repeated) {
      if (!repeated.length) return 0;
      await db.idTable(groupsName, repeated);
      return await byColumns(` WHERE rowid IN (SELECT r FROM ${groups})`);
    }
    await db.exec(`CREATE TEMP TABLE ${groups} AS SELECT hash(${by}) AS k, min(rowid) AS f, max(rowid) AS l, count(*) AS c FROM ${t} GROUP BY hash(${by}) HAVING count(*) > 1`);
    const [{ pairs, larger }] = await db.rows(`SELECT count(*) FILTER (c = 2) AS pairs, count(*) FILTER (c > 2) AS larger FROM ${groups}`);
    if (!Number(pairs) && !Number(larger)) return 0;
    const candidates = Number(larger) ? `hash(${by}) IN (SELECT k FROM ${groups})` : `rowid IN (SELECT f FROM ${groups} UNION ALL SELECT l FROM ${groups})`;
    return await byColumns(` WHERE ${candidates}`);
  } finally {
    await db.exec(`DROP TABLE IF EXISTS ${groups}`);
  }
}
