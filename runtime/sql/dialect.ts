import type { Expr, PrepareStep } from "../../language/ast.js";
import { DataError } from "../errors.js";
import type { AppliedStep } from "../data/steps.js";

/** The SQL engines Lathe's data steps compile for. */
export type EngineName = "duckdb" | "clickhouse";

/**
 * What a column's values are, as far as the portable row text (`SqlDialect.rowText`) cares: each
 * dialect maps its own type names onto these (DuckDB `BIGINT` and ClickHouse `Nullable(Int64)` are
 * both `integer`), so the same rows give the same text on every engine.
 */
export type ValueKind = "string" | "integer" | "float" | "boolean" | "date" | "timestamp" | "other";

/** A column name with its engine type name. */
export interface TypedColumn {
  name: string;
  type: string;
}

/**
 * A split by the portable row hash: the parts' fractions, the seed, and how rows are ranked, if
 * they are: `stratify` ranks the rows of each class by (hash, tie) and fills the parts in
 * proportion within each class; `time` ranks all rows by (time, NULLs last; hash; tie) and fills
 * the parts oldest first; the tie is the digest's last 8 bytes as a little-endian integer. A plain
 * split decides each row by its hash alone.
 */
export interface PortableSplitSpec {
  parts: { name: string; fraction: number }[];
  seed: number;
  stratify?: string;
  time?: string;
}

/**
 * The SQL text one engine needs for Lathe's data steps. The plan is the same for every engine; only
 * this text differs. A step or function an engine cannot express the same way throws a
 * `DialectError` naming the step and the engine, never SQL that would compute something else.
 */
export interface SqlDialect {
  engine: EngineName;
  /** A quoted identifier: any name stays one identifier. */
  ident(name: string): string;
  /** A value as an SQL literal that reads back as the same value. */
  literal(value: string | number | boolean | null | bigint): string;
  /** A Lathe expression as an SQL expression. */
  expr(e: Expr): string;
  /** One prepare step as a SELECT over `input` (a table or a parenthesised query) with the given columns. */
  step(applied: AppliedStep, input: string, columns: string[]): string;
  /** A chain of steps over `base` as one query (DuckDB: a CTE per step; ClickHouse 18.16, which has no CTEs of queries: nested subqueries). */
  chain(base: string, steps: AppliedStep[], columns: string[]): string;
  /** The queries that learn a fitted step's constants; `readFitted` (data/steps.ts) reads their rows on every engine. */
  fitQueries(step: PrepareStep, relation: string): string[] | undefined;
  /** The portable kind of an engine type name. */
  valueKind(type: string): ValueKind;
  /**
   * The row's canonical text, identical on every engine for the same values (docs/scale-out.md):
   * each value's text joined by tabs, NULL as `\N`; strings as they are, integers and booleans in
   * decimal (`1`/`0`), floats as below, dates `YYYY-MM-DD`, timestamps as epoch milliseconds.
   * A float that is an integer below 2^53 in magnitude is written as that integer (`3`, not `3.0`);
   * other floats with magnitude in [1e-4, 2^53) as their shortest round-trip decimal digits, which
   * both engines print the same in that range; smaller ones as `t` and the text of x·2^64, larger as
   * `h` and the text of x/2^64 (exact scalings), beyond those as `t`/`h` and the sign; NaN `nan`, ±∞ `inf`/`-inf`.
   */
  rowText(columns: TypedColumn[]): string;
  /** The portable row hash: the first 8 bytes of MD5(seed, tab, row text) as a little-endian integer, shifted right 11 bits (53 bits left). */
  rowHash(columns: TypedColumn[], seed: number): string;
  /**
   * `input` with a part column (`partColumn`) and the row hash (`__lathe_h`) from the portable row
   * hash: the same part for the same row on every engine, plain, stratified or by time
   * (`rankCase`). The rows keep `input`'s other columns (DuckDB: all of them, and the tie-break
   * between equal hashes: `__lathe_g`, the digest's other 8 bytes, in a plain split, `__lathe_r`,
   * the rank, in a ranked one; ClickHouse's ranked splits, which rebuild the rows from arrays: those in `columns`).
   */
  portableSplit(input: string, columns: TypedColumn[], spec: PortableSplitSpec, partColumn: string): string;
}

/** A step or function an engine cannot compute as Lathe defines it: coded, naming the step and the engine. */
export class DialectError extends DataError {
  override name = "DialectError";
  constructor(
    readonly engine: EngineName,
    readonly what: string,
    reason: string,
  ) {
    super(`${what} cannot run on ${engine}: ${reason}`, undefined, "engine-unsupported");
  }
}

/** 2^53: row hashes are 53-bit integers, and a part's share of them is compared as an integer. */
const hashRange = 2 ** 53;

/**
 * The exclusive upper bound of each part but the last, as integers over the 53-bit hash: a row whose
 * hash h has h/2^53 < cumulative fraction f goes to the part, that is h < ceil(f·2^53), exact in a
 * double, so no engine's parsing of a decimal fraction can move a row across a boundary.
 */
export function partBounds(parts: { fraction: number }[]): number[] {
  let acc = 0;
  return parts.slice(0, -1).map((p) => {
    acc += p.fraction;
    return Math.min(hashRange, Math.ceil(acc * hashRange));
  });
}

/** The CASE choosing a part from a hash expression, in either dialect's literals. */
export function partCase(dialect: Pick<SqlDialect, "literal">, hash: string, parts: { name: string; fraction: number }[]): string {
  const bounds = partBounds(parts);
  const arms = bounds.map((b, i) => `WHEN ${hash} < ${b} THEN ${dialect.literal(parts[i].name)}`);
  return `CASE ${arms.join(" ")} ELSE ${dialect.literal(parts[parts.length - 1].name)} END`;
}

/**
 * The CASE choosing a part from a row's 0-based rank `r` among `n` ranked rows: the first part whose
 * bound exceeds (2r + 1)/(2n)·2^53 — the middle of the row's slot, (r + ½)/n, scaled to the hash
 * range. The division is one IEEE double operation on two exact integers and the scaling is exact,
 * so every engine computes the same value; the bounds are `partBounds`' integers.
 */
export function rankCase(dialect: Pick<SqlDialect, "literal">, toDouble: (x: string) => string, r: string, n: string, parts: { name: string; fraction: number }[]): string {
  return partCase(dialect, `(${toDouble(`2 * ${r} + 1`)} / ${toDouble(`2 * ${n}`)} * 9007199254740992.0)`, parts);
}

/** The text a NULL value has in the portable row text (as in TSV and PostgreSQL's COPY). */
export const nullText = "\\N";

/** Each portable kind's text in one dialect, from the quoted column. */
export type ValueForms = Record<Exclude<ValueKind, "other">, (quoted: string) => string>;

/** One value's canonical text (NULL stays NULL; the row text writes it as `nullText`), or the coded error for a type with none. */
export function valueText(dialect: Pick<SqlDialect, "engine" | "ident" | "valueKind">, column: TypedColumn, forms: ValueForms): string {
  const kind = dialect.valueKind(column.type);
  if (kind === "other") throw new DialectError(dialect.engine, `the portable row hash over column ${column.name}`, `its type ${column.type} has no portable text form`);
  return forms[kind](dialect.ident(column.name));
}
