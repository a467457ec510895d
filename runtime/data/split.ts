import type { TypedColumn } from "../sql/dialect.js";
import { duckdbDialect } from "../sql/duckdb-dialect.js";
import { ident, literal } from "../sql/quote.js";

export interface SplitSpec {
  parts: { name: string; fraction: number }[];
  stratify?: string;
  time?: string;
  seed: number;
}

/** The column that holds each row's part while a split is being built. */
export const partColumn = "__lathe_part";
/** The seeded hash of each row's content while a split is being built. */
const hashColumn = "__lathe_h";
/** Each row's position in the rows being split, the tie-break between rows of equal hash. */
const rowColumn = "__lathe_row";

/**
 * SQL adding the part column to `input`. Assignment is by the portable row hash of the row's
 * content (`SqlDialect.rowHash`, docs/scale-out.md), never its position, so reordering rows changes
 * nothing and ClickHouse assigns the same rows to the same parts:
 * - plain: each row's hash picks the part by cumulative fraction, so adding rows never moves an old row;
 * - stratified: within each class, rows ranked by hash fill the parts in proportion (exact sizes per class);
 * - by time: rows ordered by the time column (hash breaks ties) fill the parts oldest first.
 */
export function splitSql(input: string, columns: TypedColumn[], spec: SplitSpec): string {
  const assigned = duckdbDialect.portableSplit(input, columns, spec, partColumn);
  // The hash and a tie-break stay with the row (for `partSql` to order by). A ranked split's rank is
  // one. A plain split numbers the rows above the hash: row_number() over no window numbers them in
  // the order they arrive (which DuckDB keeps for a scan and a projection) but runs on one thread,
  // so the hash is computed below it, in parallel (numbering first made the split 2–3× slower).
  if (spec.stratify !== undefined || spec.time !== undefined) return `SELECT * RENAME (__lathe_r AS ${rowColumn}) FROM (${assigned})`;
  return `SELECT *, row_number() OVER () AS ${rowColumn} FROM (${assigned})`;
}

/**
 * The rows of one part of a split, from `assigned` (the rows with their part, as `splitSql` gives
 * them), in an order fixed by the data and the seed alone: by the seeded row hash (time splits:
 * by time first), then by position in the input, which only decides between rows whose hashes are
 * equal, that is identical rows, whose order cannot show. Without it the parts of a stratified
 * split came out in an order that changed from run to run (window functions run in parallel),
 * and learners that depend on row order (forest bootstraps, MLP batches) with it.
 */
export function partSql(assigned: string, name: string, spec: Pick<SplitSpec, "time"> & { column?: string }): string {
  const where = `WHERE ${ident(partColumn)} = ${literal(name)}`;
  // `by column C`: the rows are assigned by the data itself (no hash), and a scan and a filter keep their input order.
  if (spec.column) return `(SELECT * EXCLUDE (${ident(partColumn)}) FROM ${assigned} ${where})`;
  const order = [...(spec.time ? [ident(spec.time)] : []), hashColumn, rowColumn].join(", ");
  return `(SELECT * EXCLUDE (${ident(partColumn)}, ${hashColumn}, ${rowColumn}) FROM ${assigned} ${where} ORDER BY ${order})`;
}
