import type { TypedColumn } from "../sql/dialect.js";
import { duckdbDialect } from "../sql/duckdb-dialect.js";
import { ident, literal } from "../sql/quote.js";
import type { PrepareStep } from "../../language/ast.js";

/** Which row hash a split uses: the portable one every engine computes (`portable`, the default) or DuckDB's own (`hash native`). */
export type SplitHash = "native" | "portable";

export interface SplitSpec {
  parts: { name: string; fraction: number }[];
  stratify?: string;
  time?: string;
  seed: number;
  /** The hash the program asked for; none: `splitHash` chooses. */
  hash?: SplitHash;
}

/**
 * The hash a DuckDB split uses: the one the program asked for, else the portable hash — unless a
 * column has no portable text (a list, struct, blob, UUID, time or enum column), whose rows
 * DuckDB's own hash still splits rather than refusing a program that only runs on DuckDB.
 */
export function splitHash(asked: SplitHash | undefined, columns: TypedColumn[]): SplitHash {
  return asked ?? (columns.every((c) => duckdbDialect.valueKind(c.type) !== "other") ? "portable" : "native");
}

/** The column that holds each row's part while a split is being built. */
export const partColumn = "__lathe_part";
/** The seeded hash of each row's content while a split is being built. */
const hashColumn = "__lathe_h";
/** The tie-break between rows of equal hash while a split is being built (DuckDB's hash: each row's position; the portable hash: see `portableSplitSql`). */
const rowColumn = "__lathe_row";

/**
 * SQL adding the part column to `input`. Assignment is by a seeded hash of the row's content,
 * never its position, so reordering rows changes nothing:
 * - plain: each row's hash picks the part by cumulative fraction, so adding rows never moves an old row;
 * - stratified: within each class, rows ranked by hash fill the parts in proportion (exact sizes per class);
 * - by time: rows ordered by the time column (hash breaks ties) fill the parts oldest first.
 * The hash is the portable one (docs/scale-out.md), which puts the same rows in the same parts on
 * every engine, unless the split asks for DuckDB's own (`hash native`) or a column has no portable
 * text (`splitHash`); `columns` are typed because the portable hash's text of a value depends on its type.
 */
export function splitSql(input: string, columns: TypedColumn[], spec: SplitSpec): string {
  if (splitHash(spec.hash, columns) === "portable") return portableSplitSql(input, columns, spec);
  // DuckDB combines the hashes of several arguments by XOR, so hash(row, seed) only XORs every row's
  // hash with one constant: a 50/50 split came out the same for every seed. Hashing again after
  // mixing in the seed's hash re-randomises the assignment per seed.
  const rowHash = `hash(xor(hash(${columns.map((c) => ident(c.name)).join(", ")}), hash(CAST(${literal(spec.seed)} AS BIGINT))))`;
  let position: string;
  if (spec.time) {
    position = `((row_number() OVER (ORDER BY ${ident(spec.time)}, __lathe_h, __lathe_row) - 0.5) / count(*) OVER ())`;
  } else if (spec.stratify) {
    position = `((row_number() OVER (PARTITION BY ${ident(spec.stratify)} ORDER BY __lathe_h, __lathe_row) - 0.5) / count(*) OVER (PARTITION BY ${ident(spec.stratify)}))`;
  } else {
    // 2^64 buckets folded to [0, 1): the top 53 bits keep full double precision.
    position = `(CAST(__lathe_h >> 11 AS DOUBLE) / 9007199254740992.0)`;
  }
  let acc = 0;
  const arms = spec.parts.slice(0, -1).map((p) => {
    acc += p.fraction;
    return `WHEN __lathe_pos < ${literal(acc)} THEN ${literal(p.name)}`;
  });
  const last = literal(spec.parts[spec.parts.length - 1].name);
  // The hash and the row's position stay with the row (for `partSql` to order by); row_number()
  // over no window numbers rows in the order they arrive, which DuckDB keeps for a plain scan.
  return `SELECT * EXCLUDE (__lathe_pos), CASE ${arms.join(" ")} ELSE ${last} END AS ${ident(partColumn)} FROM (SELECT *, ${position} AS __lathe_pos FROM (SELECT *, ${rowHash} AS ${hashColumn}, row_number() OVER () AS ${rowColumn} FROM ${input}))`;
}

/**
 * Whether a split's parts are read as the rows before the split beside a table of each row's keys
 * (`splitKeysSql`, `keyedRows`): a plain split by the portable hash, where the part is a function
 * of the row alone, so the keys come out row for row in the input's order. A ranked split
 * (stratified, by time) numbers rows through a window, which gives them back in another order; a
 * plain split by DuckDB's hash streams each part from the rows before the split (its hash is cheap
 * to compute again, and a keys table only added to the peak: flights-3m 525 -> 630 MB).
 */
export function keyedSplit(spec: Pick<SplitSpec, "stratify" | "time" | "hash">): boolean {
  return spec.hash === "portable" && spec.stratify === undefined && spec.time === undefined;
}

/** The root's rowid, carried through the steps before a split to join each row to its keys (`joinedRows`). */
const idColumn = "__lathe_id";

/** Steps that keep a column they do not name (a `SELECT *` of their input): the root's rowid passes through them. */
const carrying = new Set<PrepareStep["kind"]>(["drop-rows", "keep-rows", "drop-columns", "fill", "replace", "clip", "derive", "cast", "text", "rename"]);

/** Whether the root's rowid survives these steps before a split (`keep columns` and `drop duplicates` name their columns). */
export function carriesRowId(steps: PrepareStep[]): boolean {
  return steps.every((s) => carrying.has(s.kind));
}

/** The root table's rows with their rowid (`idColumn`), for the steps before a split to carry. */
export function withRowId(table: string): string {
  return `(SELECT rowid AS ${idColumn}, * FROM ${table})`;
}

/**
 * A plain portable split's keys, one row per input row in the input's order: the seeded hash, the
 * tie-break and the part (an ENUM: one byte), 17 bytes a row (25 with the root's rowid, when
 * `input` carries it: `withRowId`), where a table of the rows with their part held every row a
 * second time while the parts were written (flights-3m: ≈ 200 MB more at the split's peak). The row
 * text is of `columns` alone, never the rowid. `keyedSplit(spec)` must hold.
 */
export function splitKeysSql(input: string, columns: TypedColumn[], spec: SplitSpec, withId: boolean): string {
  const part = `CAST(${ident(partColumn)} AS ENUM (${spec.parts.map((p) => literal(p.name)).join(", ")})) AS ${ident(partColumn)}`;
  return `SELECT ${withId ? `${idColumn}, ` : ""}${hashColumn}, ${rowColumn}, ${part} FROM (${portableSplitSql(input, columns, spec)})`;
}

/**
 * The rows before the split (`input`) with their keys (`keys`: a table made by `splitKeysSql` from
 * the same input), as `splitSql` gives them: a POSITIONAL JOIN pairs the n-th row of each side. That
 * relies on the input giving its rows in the same order every time it is read, which DuckDB keeps
 * for what a split's input is made of (scans, filters, projections, and `drop duplicates`, which
 * orders by position) while insertion order is preserved (the default). The join runs on one
 * thread, over every row whichever part is read: cheap for an aggregate, dear for a sorted part.
 */
export function keyedRows(input: string, keys: string): string {
  return `(SELECT * FROM ${input} POSITIONAL JOIN (SELECT ${hashColumn}, ${rowColumn}, ${ident(partColumn)} FROM ${keys}))`;
}

/**
 * The same as `keyedRows` when `input` carries the root's rowid (`withRowId`) and `keys` were made
 * from it: a hash join on the rowid, which DuckDB runs on every thread and which reads, once a part
 * is asked for (the filter reaches the keys), only that part's keys into its hash table.
 */
export function joinedRows(input: string, keys: string): string {
  return `(SELECT __lathe_rows.* EXCLUDE (${idColumn}), __lathe_keys.* EXCLUDE (${idColumn}) FROM ${input} AS __lathe_rows JOIN ${keys} AS __lathe_keys ON __lathe_rows.${idColumn} = __lathe_keys.${idColumn})`;
}

/** Each row's position within its part, in the part's order (`partSql`), where a split's parts are views (`rankedKeysSql`). */
export const rankColumn = "__lathe_rank";

/**
 * A plain portable split's keys when its parts are kept as views over the rows before the split
 * instead of tables: each row's part (an ENUM) and rank within its part (the order `partSql` gives:
 * by seeded hash, then tie-break), 5 bytes a row, in the input's order (`input` carries the root's
 * rowid, `withRowId`, to put them back in it), so that `rankedPartRows` pairs them with the rows by
 * position. The ranks are numbered by a window over the keys alone, never the rows.
 */
export function rankedKeysSql(input: string, columns: TypedColumn[], spec: SplitSpec): string {
  const part = ident(partColumn);
  return `SELECT ${part}, ${rankColumn} FROM (SELECT ${idColumn}, ${part}, CAST(row_number() OVER (PARTITION BY ${part} ORDER BY ${hashColumn}, ${rowColumn}) - 1 AS UINTEGER) AS ${rankColumn} FROM (${splitKeysSql(input, columns, spec, true)})) ORDER BY ${idColumn}`;
}

/**
 * One part's rows (the rows before the split, `input`, each paired with its keys by position:
 * `keyedRows`'s reliance on a stable input order) with their rank, in the input's order. A POSITIONAL
 * JOIN reads every row on one thread, but builds nothing: a hash join on the rowid built a hash
 * table of the part's keys at every read (5M rows: a DISTINCT of the training labels 2.2 s, by
 * position 0.3–0.5 s).
 */
export function rankedPartRows(input: string, keys: string, name: string, piece?: RowPiece): string {
  const rows = piece ? piece.rows : input;
  const keyRows = piece ? `(SELECT * FROM ${keys} WHERE rowid >= ${piece.keys[0]} AND rowid < ${piece.keys[1]})` : keys;
  return `(SELECT * EXCLUDE (${ident(partColumn)}) FROM (SELECT * FROM ${rows} POSITIONAL JOIN ${keyRows}) WHERE ${ident(partColumn)} = ${literal(name)})`;
}

/**
 * A range of the rows before a split, for `rankedPartRows` to pair with the same range of the keys:
 * `rows`, the rows before the split computed from the root's rows whose rowid is in a range
 * (`rowidRange`), and `keys`, the positions [from, to) of their keys in the keys table (which holds
 * one row per row before the split, in the root's order). The steps before a view split keep or drop
 * rows one by one (`carriesRowId`), so a range of the root gives a run of consecutive keys.
 */
export interface RowPiece {
  rows: string;
  keys: [number, number];
}

/**
 * How many rows before the split (`ids`: carrying the root's rowid, `withRowId`) come from root rows
 * whose rowid is below each of `cuts`: where each range of the root's rows starts among the keys.
 */
export function rowsBelowSql(ids: string, cuts: number[]): string {
  return `SELECT ${cuts.map((c, i) => `count(*) FILTER (WHERE ${idColumn} < ${c}) AS below${i}`).join(", ")} FROM ${ids}`;
}

/** The rows of a table whose rowid is in [from, to): DuckDB skips the rest of the table when it scans. */
export function rowidRange(table: string, from: number, to: number): string {
  return `(SELECT * FROM ${table} WHERE rowid >= ${from} AND rowid < ${to})`;
}

/** One part's rows in the part's order (as `partSql` gives them), from `rankedPartRows`: sorted when read. */
export function sortedPartRows(input: string, keys: string, name: string): string {
  return `(SELECT * EXCLUDE (${rankColumn}) FROM ${rankedPartRows(input, keys, name)} ORDER BY ${rankColumn})`;
}

/** The portable split (`SqlDialect.portableSplit`) with the tie-break `partSql` orders by. */
function portableSplitSql(input: string, columns: TypedColumn[], spec: SplitSpec): string {
  const assigned = duckdbDialect.portableSplit(input, columns, spec, partColumn);
  // A ranked split's rank is the tie-break; a plain split's is the digest's other 8 bytes, equal
  // only for identical rows (whose order cannot show). Numbering the rows instead (row_number() over
  // no window) fed every row through one thread: flights-3m's load + prepare + split went from
  // ≈ 1.1× DuckDB's hash to ≈ 0.85× without it (bench/RESULTS.md).
  if (spec.stratify !== undefined || spec.time !== undefined) return `SELECT * RENAME (__lathe_r AS ${rowColumn}) FROM (${assigned})`;
  return `SELECT * RENAME (__lathe_g AS ${rowColumn}) FROM (${assigned})`;
}

/**
 * How many pieces a part is written in, each sorted on its own: a sort holds its rows once more
 * while it runs, so a part of more than half the rows is sorted in two halves of the hash range
 * (at 5M rows, 120 MB less at the peak of `lathe run`). The hash leads the order within a part, so
 * the halves one after the other are the part's order. Time splits order by time first, and
 * `by column` splits keep input order: one piece.
 */
export function partChunks(fraction: number, spec: Pick<SplitSpec, "time"> & { column?: string }): number {
  return spec.time !== undefined || spec.column !== undefined || fraction <= 0.5 ? 1 : 2;
}

/**
 * One part's rows in no particular order: enough for learning what does not depend on the order
 * rows come in (`learnsInAnyOrder`), without sorting the part (which holds its rows once more).
 */
export function partRowsSql(assigned: string, name: string, spec: { column?: string }): string {
  const drop = spec.column ? ident(partColumn) : `${ident(partColumn)}, ${hashColumn}, ${rowColumn}`;
  return `(SELECT * EXCLUDE (${drop}) FROM ${assigned} WHERE ${ident(partColumn)} = ${literal(name)})`;
}

/** Rows whose seeded hash falls in piece `index` of `of` equal ranges of its values (DuckDB's hash: 2^64; the portable one: 2^53). */
function hashRange(index: number, of: number, hash: SplitHash): string {
  const range = 1n << (hash === "portable" ? 53n : 64n);
  const bound = (k: number) => `CAST(${literal((range * BigInt(k)) / BigInt(of))} AS UBIGINT)`;
  return [...(index > 0 ? [`${hashColumn} >= ${bound(index)}`] : []), ...(index < of - 1 ? [`${hashColumn} < ${bound(index + 1)}`] : [])].join(" AND ");
}

/**
 * The rows of one part of a split, from `assigned` (the rows with their part, as `splitSql` gives
 * them), in an order fixed by the data and the seed alone: by the seeded row hash (time splits:
 * by time first), then by a tie-break (DuckDB's hash: the position in the input; the portable
 * hash: the digest's other 8 bytes, or the rank they give), which only decides between rows whose
 * hashes are equal, that is identical rows, whose order cannot show. Without it the parts of a stratified
 * split came out in an order that changed from run to run (window functions run in parallel),
 * and learners that depend on row order (forest bootstraps, MLP batches) with it. A `chunk` is a
 * range of the hash `spec.hash` names, which must be the one the split used (`splitHash`).
 */
export function partSql(assigned: string, name: string, spec: Pick<SplitSpec, "time" | "hash"> & { column?: string }, chunk?: { index: number; of: number }): string {
  const where = `WHERE ${ident(partColumn)} = ${literal(name)}${chunk ? ` AND ${hashRange(chunk.index, chunk.of, spec.hash ?? "native")}` : ""}`;
  // `by column C`: the rows are assigned by the data itself (no hash), and a scan and a filter keep their input order.
  if (spec.column) return `(SELECT * EXCLUDE (${ident(partColumn)}) FROM ${assigned} ${where})`;
  const order = [...(spec.time ? [ident(spec.time)] : []), hashColumn, rowColumn].join(", ");
  return `(SELECT * EXCLUDE (${ident(partColumn)}, ${hashColumn}, ${rowColumn}) FROM ${assigned} ${where} ORDER BY ${order})`;
}
