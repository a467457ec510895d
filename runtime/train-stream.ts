import type { Database } from "./data/database.js";
import { checkFeatures } from "./data/feature-check.js";
import { DataError, abortError } from "./errors.js";
import type { RowBlocks, Task } from "./models/types.js";
import { checkRegressionTarget, featureSelect, targetExpression, type Relation } from "./train-data.js";

/**
 * A dataset's features and target as blocks read from DuckDB on demand (`RowBlocks`), for training
 * on data over the memory budget: every pass is one streaming query over the same table, so the
 * rows come in the same order each time (DuckDB keeps a table's insertion order in a plain scan)
 * and only one block is in JS memory. Features are checked once (no missing, NaN or infinite
 * values), as `readMatrix` does; a regression target is checked block by block. Undefined when the
 * target cannot be computed in SQL (more than 256 classes): such a model trains in memory.
 */
export async function rowBlocks(db: Database, ds: Relation, name: string, columns: string[], target: string, task: Task, classes: string[], budget: number): Promise<RowBlocks | undefined> {
  const y = targetExpression(target, task, classes);
  if (y === undefined) return undefined;
  const present = new Set(ds.columns);
  await checkFeatures(db, ds.relation, name, columns.filter((c) => present.has(c)));
  if (!columns.length) throw new DataError(`no features to train on in \`${name}\``);
  const sql = `SELECT ${featureSelect(ds, columns)}, ${y} AS __lathe_target FROM ${ds.relation}`;
  const d = columns.length;
  return {
    n: ds.rows,
    names: columns,
    rowsPerBlock: (multiple) => blockRows(budget, d, multiple),
    async forEach(rows, each, signal) {
      let start = 0;
      await db.float32Blocks(sql, rows, async (n, cols) => {
        if (signal?.aborted) throw abortError();
        const yBlock = cols[d];
        if (task === "regression") checkRegressionTarget(yBlock, target, name);
        await each({ n, columns: cols.slice(0, d), names: columns }, yBlock, start);
        start += n;
      });
      // A table that changed under the stream would break the fixed order every pass relies on.
      if (start !== ds.rows) throw new Error(`streamed ${start} rows of \`${name}\`, expected ${ds.rows}`);
    },
  };
}

/**
 * Rows of a streamed block: an eighth of the budget (at most 16 MB, so a pass over the data stays
 * in cache-sized pieces without a block per DuckDB chunk), rounded down to `multiple`.
 */
export function blockRows(budget: number, features: number, multiple: number): number {
  const bytes = Math.min(budget / 8, 16 * 2 ** 20);
  return Math.max(1, Math.floor(bytes / ((features + 1) * 4) / multiple)) * multiple;
}
