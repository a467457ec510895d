import type { Database } from "./data/database.js";
import { abortError } from "./errors.js";
import type { RowBlocks, Task } from "./models/types.js";
import { ident } from "./sql/quote.js";
import { badTarget, checkFeatureColumns, featureSelect, targetExpression, type Relation } from "./train-data.js";

/** Streamed rows and what they hold in DuckDB: `close` drops it. */
export type StreamedRows = RowBlocks & { close(): Promise<void> };

let staged = 0;

/**
 * A dataset's features and target as blocks read from DuckDB on demand (`RowBlocks`), for data over
 * the memory budget: only one block is in JS memory. Features are checked first (no missing, NaN or
 * infinite values; with `missing`, no infinities) and so is a regression target, as `readMatrix`/`readTarget` do.
 *
 * `passes: "many"` (training, which reads the rows once per iteration or epoch) first writes the
 * features and target as FLOATs to a table of their own, which DuckDB keeps within its memory
 * limit by spilling to disk: each pass then scans plain floats, three to four times faster than
 * casting and looking up classes every time. Every pass is one streaming query over the same table,
 * so the rows come in the same order each time (a plain scan keeps a table's insertion order, the
 * part's order). `"one"` (scoring) reads the dataset as it is.
 *
 * Undefined when the target cannot be computed in SQL (more than 256 classes): then in memory.
 */
export async function streamRows(db: Database, ds: Relation, name: string, columns: string[], target: string, task: Task, classes: string[], budget: number, passes: "one" | "many", missing = false): Promise<StreamedRows | undefined> {
  const y = targetExpression(target, task, classes);
  if (y === undefined) return undefined;
  await checkFeatureColumns(db, ds, name, columns, missing);
  if (task === "regression") {
    const [{ bad }] = await db.rows(`SELECT count(*) FILTER (WHERE NOT isfinite(${y}) OR ${y} IS NULL) AS bad FROM ${ds.relation}`);
    if (Number(bad)) throw badTarget(target, bad as number | bigint, name);
  }
  const select = `SELECT ${featureSelect(ds, columns)}, ${y} AS __lathe_target FROM ${ds.relation}`;
  const table = passes === "many" ? ident(`__lathe_stream_${++staged}`) : undefined;
  if (table) await db.exec(`CREATE TEMP TABLE ${table} AS ${select}`);
  const sql = table ? `SELECT * FROM ${table}` : select;
  const d = columns.length;
  return {
    n: ds.rows,
    names: columns,
    rowsPerBlock: (multiple) => blockRows(budget, d, multiple),
    async forEach(rows, each, signal) {
      let start = 0;
      await db.float32Blocks(sql, rows, async (n, cols) => {
        if (signal?.aborted) throw abortError();
        await each({ n, columns: cols.slice(0, d), names: columns }, cols[d], start);
        start += n;
      }, { reuse: true });
      // A table that changed under the stream would break the fixed order every pass relies on.
      if (start !== ds.rows) throw new Error(`streamed ${start} rows of \`${name}\`, expected ${ds.rows}`);
    },
    async read(from, to) {
      // A staged table's rowid is its insertion position, the order every pass streams in; DuckDB skips to the range.
      if (!table) throw new Error("reading a range needs rows staged for many passes");
      const { n, columns: cols } = await db.float32Columns(`SELECT * FROM ${table} WHERE rowid >= ${from} AND rowid < ${to}`, { rows: to - from });
      if (n !== to - from) throw new Error(`read ${n} rows of \`${name}\` [${from}, ${to}), expected ${to - from}`);
      return { x: { n, columns: cols.slice(0, d), names: columns }, y: cols[d] };
    },
    close: async () => {
      if (table) await db.exec(`DROP TABLE IF EXISTS ${table}`);
    },
  };
}

/**
 * Rows of a streamed block: an eighth of the budget (at most 16 MB: a block per DuckDB chunk
 * would cost a call per 2,048 rows), rounded down to `multiple`, at least one multiple.
 */
export function blockRows(budget: number, features: number, multiple: number): number {
  const bytes = Math.min(budget / 8, 16 * 2 ** 20);
  return Math.max(1, Math.floor(bytes / ((features + 1) * 4) / multiple)) * multiple;
}
