import { ident, programName, type SqlIdent } from "../sql/quote.js";
import { DataError } from "../errors.js";
import type { Database } from "./database.js";
import { nativeColumns } from "../models/native-engine.js";
import { missingTakers } from "../models/missing-values.js";

/**
 * Aggregates per query. DuckDB's planning time grows faster than linearly with the number of
 * expressions in one SELECT (3,000 filtered aggregates, for 1,000 columns, took 3.4 s to plan
 * and 10,000 columns did not finish in 180 s), so wide data is checked in batches of this many:
 * the cost is then linear in the number of columns.
 */
const batch = 240;

/**
 * The checks a column of a DuckDB type needs: numbers need no cast, and only floats can be NaN or
 * infinite. With `missing` (a learner that takes missing values) NULL and NaN pass and only
 * infinities count against the column.
 */
function checksFor(column: string, type: string, missing: boolean): { missing?: string; nonFinite?: string; nonNumeric?: string } {
  const q = ident(column);
  const t = type.toUpperCase();
  const count = missing ? undefined : `count(${q})`;
  const bad = (v: string) => (missing ? `count_if(isinf(${v}))` : `count_if(NOT isfinite(${v}))`);
  if (/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|DECIMAL|BOOLEAN)/.test(t)) return { missing: count };
  if (t === "FLOAT" || t === "DOUBLE" || t === "REAL") return { missing: count, nonFinite: bad(q) };
  const cast = `TRY_CAST(${q} AS DOUBLE)`;
  return { missing: count, nonFinite: bad(cast), nonNumeric: `count_if(${q} IS NOT NULL AND ${cast} IS NULL)` };
}

/** Column types DuckDB reads as numbers: a value of one is never text, and a missing, NaN or infinite one reads as NaN or ±Infinity. */
const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|DECIMAL|BOOLEAN|FLOAT|DOUBLE|REAL)/;

/** Whether a DuckDB column type is read as numbers (see NUMERIC). */
export function isNumericType(type: string): boolean {
  return NUMERIC.test(type.toUpperCase());
}

/** The DuckDB type of each column of a relation (one `DESCRIBE`, no scan of the rows). */
export async function columnTypes(db: Database, relation: SqlIdent): Promise<Map<string, string>> {
  return new Map((await db.describe(`SELECT * FROM ${relation}`)).map((c) => [c.name, c.type.toUpperCase()]));
}

/** The index of the first column read as numbers that holds a NaN or an infinity (a NULL reads as NaN), or −1; in the native module when built. */
export function firstNonFinite(cols: Float32Array[], n: number): number {
  const native = nativeColumns();
  return native ? native.firstNonFinite(cols, n) : cols.findIndex((c) => hasNonFinite(c, n));
}

/** The index of the first column read as numbers that holds an infinity, or −1 (NaN, a missing value, passes). */
export function firstInfinite(cols: Float32Array[], n: number): number {
  return cols.findIndex((c) => {
    for (let i = 0; i < n; i++) if (c[i] === Infinity || c[i] === -Infinity) return true;
    return false;
  });
}

/** Whether a column read as numbers holds a NaN or an infinity (a NULL reads as NaN). */
export function hasNonFinite(col: Float32Array | Float64Array, n = col.length): boolean {
  // A sum of finite float32 values stays finite in float64; one NaN or infinity makes it not.
  // Four sums side by side: one would wait on each addition before the next.
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    s0 += col[i];
    s1 += col[i + 1];
    s2 += col[i + 2];
    s3 += col[i + 3];
  }
  for (; i < n; i++) s0 += col[i];
  return !Number.isFinite(s0 + s1 + s2 + s3);
}

/**
 * Refuses feature columns a learner cannot take, with an error that names the column, the
 * dataset and the count: text that is not numeric, missing values, NaN or infinite values
 * (with `missing`, for a learner that takes missing values: text that is not numeric and
 * infinities). Columns are checked in order and the first problem is reported. Queries are
 * batched (`batch` aggregates each) and each column gets only the checks its type needs.
 */
export async function checkFeatures(db: Database, relation: SqlIdent, name: string, columns: string[], missing = false): Promise<void> {
  if (!columns.length) return;
  const types = new Map((await db.describe(`SELECT * FROM ${relation}`)).map((c) => [c.name, c.type]));
  const exprs: { column: string; kind: "missing" | "nonFinite" | "nonNumeric"; sql: string }[] = [];
  for (const c of columns) {
    const checks = checksFor(c, types.get(c) ?? "VARCHAR", missing);
    for (const kind of ["nonNumeric", "missing", "nonFinite"] as const) if (checks[kind]) exprs.push({ column: c, kind, sql: checks[kind]! });
  }
  const counts = new Map<string, number>();
  let rows = 0;
  for (let i = 0; i < exprs.length; i += batch) {
    const part = exprs.slice(i, i + batch);
    const [r] = await db.rows(`SELECT count(*) AS n, ${part.map((e, j) => `${e.sql} AS c${j}`).join(", ")} FROM ${relation}`);
    rows = Number(r.n);
    part.forEach((e, j) => counts.set(`${e.kind}\0${e.column}`, Number(r[`c${j}`])));
  }
  for (const c of columns) {
    const nonNumeric = counts.get(`nonNumeric\0${c}`) ?? 0;
    const absent = rows - (counts.get(`missing\0${c}`) ?? rows);
    const nonFinite = counts.get(`nonFinite\0${c}`) ?? 0;
    if (nonNumeric > 0) throw new DataError(`feature \`${c}\` in \`${name}\` is not numeric; one-hot it (\`onehot ${c}\`) or cast it in a prepare step`);
    if (absent > 0) throw new DataError(`feature \`${c}\` has ${absent} missing values in \`${name}\`; fill them in a prepare step (\`fill ${programName(c)} with median\`) or drop those rows (${missingTakers} take missing values as they are)`);
    if (nonFinite > 0) throw new DataError(`feature \`${c}\` has ${nonFinite} ${missing ? "infinite" : "NaN or infinite"} values in \`${name}\``);
  }
}
