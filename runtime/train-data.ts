import type { Database } from "./data/database.js";
import { checkFeatures, columnTypes, firstInfinite, firstNonFinite, isNumericType } from "./data/feature-check.js";
import { DataError } from "./data/source.js";
import type { Matrix, Task } from "./models/types.js";
import { ident, literal, type SqlIdent } from "./sql/quote.js";
import { rankColumn } from "./data/split.js";
import { nameText } from "../language/identifier.js";
import { own } from "../language/lookup.js";

/** Rows to read features from: a quoted table (or query) with its columns. */
export interface Relation {
  /** A quoted table or view name (`ident`): never a bare name. */
  relation: SqlIdent;
  columns: string[];
  rows: number;
  /** One-hot column → its indicator columns. */
  expansions: Record<string, string[]>;
  /**
   * The same rows in no particular order, each with its position in `relation`'s order
   * (`rankColumn`): a split's part kept as a view (`rankedPartRows`), read without sorting it.
   */
  ranked?: string;
  /** `ranked` in pieces read at once, each on a DuckDB thread (`DatasetState.rankedPieces`). */
  rankedPieces?: string[];
}

/** The rows of `ds` for a query whose answer does not depend on their order (distinct values, counts): unsorted when it can. */
export function unordered(ds: Relation): string {
  return ds.ranked ? `(${ds.ranked})` : ds.relation;
}

/** Reads `select` (FLOAT expressions) over every row of `ds` in its order: each row put at its rank when it has them, not sorted. */
function readOrdered(db: Database, ds: Relation, select: string): Promise<{ n: number; columns: Float32Array[] }> {
  if (ds.ranked) {
    const pieces = (ds.rankedPieces ?? [ds.ranked]).map((piece) => `SELECT ${select}, ${rankColumn} FROM (${piece})`);
    return db.float32Columns(pieces.length === 1 ? pieces[0] : pieces, { rows: ds.rows, shared: true, ranked: true });
  }
  return db.float32Columns(`SELECT ${select} FROM ${ds.relation}`, { rows: ds.rows, shared: true });
}

/** Expands one-hot columns into their indicator columns. */
export function expandFeatures(features: string[], ds: Relation): string[] {
  return features.flatMap((f) => own(ds.expansions, f) ?? [f]);
}

/**
 * The checks every read of features makes, in memory or streamed: no missing, NaN or infinite
 * values (with `missing`, for a learner that takes missing values: no infinities), at least one feature.
 */
export async function checkFeatureColumns(db: Database, ds: Relation, name: string, columns: string[], missing = false): Promise<void> {
  const present = new Set(ds.columns);
  await checkFeatures(db, ds.relation, name, columns.filter((c) => present.has(c)), missing);
  if (!columns.length) throw new DataError(`no features to train on in \`${name}\``);
}

/** A regression target with missing or non-finite values, in memory or streamed. */
export function badTarget(target: string, bad: number | bigint, name: string): DataError {
  return new DataError(`target \`${target}\` has ${bad} missing or non-finite values in \`${name}\``);
}

/**
 * Reads features into Float32Array columns, refusing missing, NaN and infinite values with an
 * error that names the column, the dataset and the count; with `missing` (a learner that takes
 * them, `takesMissing`) a missing value (NULL or NaN) reads as NaN and only infinities are
 * refused. Indicator columns a dataset lacks (a category it never saw) read as zeros.
 */
export async function readMatrix(db: Database, ds: Relation, name: string, columns: string[], missing = false): Promise<Matrix> {
  return (await readFeatures(db, ds, name, columns, undefined, missing)).x;
}

/**
 * readMatrix's read, with `extra` (a FLOAT expression, unchecked) read in the same scan of the rows
 * as one more column: the target of a training set, without a query of its own.
 */
async function readFeatures(db: Database, ds: Relation, name: string, columns: string[], extra?: string, missing = false): Promise<{ x: Matrix; extra?: Float32Array }> {
  // Columns of numeric types are checked after the read, in the values read (a NULL reads as NaN):
  // the check query was a second scan of the rows (≈ 45 ms for 140k × 20), now run only to word
  // the error when a value is bad. Text columns are checked first: their CAST could fail.
  const types = await columnTypes(db, ds.relation);
  const present = columns.filter((c) => types.has(c));
  const numeric = columns.length > 0 && present.every((c) => isNumericType(types.get(c)!));
  if (!numeric) await checkFeatureColumns(db, ds, name, columns, missing);
  // DOUBLE columns are read as they are and rounded to float32 in the copy: DuckDB's CAST to FLOAT
  // cost a third of the read.
  const select = featureSelect(ds, columns, new Set(present.filter((c) => types.get(c) === "DOUBLE")));
  // One exactly sized column per feature, shared so a learner's worker threads read it in place.
  const read = await readOrdered(db, ds, `${select}${extra ? `, ${extra}` : ""}`);
  const n = read.n;
  const cols = extra ? read.columns.slice(0, -1) : read.columns;
  // With missing values taken, a NaN is one: only an infinity is bad (looked for once a NaN or an infinity is found).
  let bad = numeric ? firstNonFinite(cols, n) : -1;
  if (bad >= 0 && missing) {
    const infinite = firstInfinite(cols.slice(bad), n);
    bad = infinite < 0 ? -1 : bad + infinite;
  }
  if (bad >= 0) {
    await checkFeatureColumns(db, ds, name, columns, missing);
    // Finite in DuckDB, so a DOUBLE beyond a 32-bit float's range, rounded to an infinity.
    throw new DataError(`feature \`${columns[bad]}\` has values beyond a 32-bit float's range (±3.4e38) in \`${name}\`; scale it in a prepare step`);
  }
  return { x: { n, columns: cols, names: columns }, extra: extra ? read.columns.at(-1) : undefined };
}

/**
 * readMatrix and readTarget in one scan of the rows where DuckDB computes the target (a regression
 * value, or the class index of up to SQL_CLASSES classes): a second query over every row cost
 * ≈ 5–10 ms of a 140k-row fit. The same values, refused for the same reasons, features first.
 */
export async function readRows(db: Database, ds: Relation, name: string, columns: string[], target: string, task: Task, classes?: string[], missing = false): Promise<{ x: Matrix; y: Float32Array; classes: string[] }> {
  let known: string[] = [];
  if (task === "classification") {
    try {
      known = await targetClasses(db, ds, name, target, classes);
    } catch (e) {
      // A missing label: the features' own errors come first, as when they were read first.
      await readMatrix(db, ds, name, columns, missing);
      throw e;
    }
  }
  const expression = targetExpression(target, task, known);
  if (!expression) {
    const x = await readMatrix(db, ds, name, columns, missing);
    return { x, y: await labelIndices(db, ds, target, known), classes: known };
  }
  const { x, extra: y } = await readFeatures(db, ds, name, columns, expression, missing);
  if (task === "regression") checkTarget(y!, target, name);
  return { x, y: y!, classes: known };
}

/** Refuses a regression target read with missing (NaN) or non-finite values. */
function checkTarget(y: Float32Array, target: string, name: string): void {
  // Counted only when there is something to count: a reduce over every row, cold, was ≈ 5 ms at 140k.
  if (firstNonFinite([y], y.length) >= 0) throw badTarget(target, y.reduce((a, v) => a + (Number.isFinite(v) ? 0 : 1), 0), name);
}

/** Up to this many classes, labels become class indices inside DuckDB; beyond, in JS from the label strings. */
const SQL_CLASSES = 256;

/**
 * Reads the target: class indices against `classes` (unknown labels → -1) or values for regression.
 * Class indices are computed by DuckDB and read as numbers: millions of label strings in JS cost
 * more memory than the features.
 */
export async function readTarget(db: Database, ds: Relation, name: string, target: string, task: Task, classes?: string[]): Promise<{ y: Float32Array; classes: string[] }> {
  const known = task === "classification" ? await targetClasses(db, ds, name, target, classes) : [];
  const expression = targetExpression(target, task, known);
  if (!expression) return { y: await labelIndices(db, ds, target, known), classes: known };
  const { columns } = await readOrdered(db, ds, expression);
  if (task === "regression") checkTarget(columns[0], target, name);
  return { y: columns[0], classes: known };
}

/** Class indices against `known` (unknown labels → -1) from the label strings, where there are too many classes for SQL (`targetExpression`). */
async function labelIndices(db: Database, ds: Relation, target: string, known: string[]): Promise<Float32Array> {
  const labels = await db.strings(`SELECT CAST(${ident(target)} AS VARCHAR) FROM ${ds.relation}`);
  const index = new Map(known.map((c, i) => [c, i]));
  const y = new Float32Array(labels.length);
  labels.forEach((l, i) => (y[i] = index.get(l as string) ?? -1));
  return y;
}

/** The classes of a classification target (sorted, or `classes` when given), refusing missing labels: bounded queries, no labels read into JS. */
export async function targetClasses(db: Database, ds: Relation, name: string, target: string, classes?: string[]): Promise<string[]> {
  const t = ident(target);
  // One scan when the target is complete: its distinct values, NULL among them if any is missing (then counted, for the message).
  const distinct = classes ? [] : await db.strings(`SELECT DISTINCT CAST(${t} AS VARCHAR) FROM ${unordered(ds)}`);
  if (classes || distinct.includes(null)) {
    const [{ missing }] = await db.rows(`SELECT count(*) FILTER (WHERE ${t} IS NULL) AS missing FROM ${unordered(ds)}`);
    if (Number(missing)) throw new DataError(`target \`${target}\` has ${missing} missing values in \`${name}\`; drop them (\`drop rows where ${quote(target)} is missing\`)`);
  }
  return classes ?? (distinct as string[]).sort();
}

/**
 * The target as a FLOAT in SQL: the value for regression, the class index against `known` (unknown
 * labels → -1) for classification, computed by DuckDB; undefined beyond SQL_CLASSES classes.
 */
export function targetExpression(target: string, task: Task, known: string[]): string | undefined {
  const t = ident(target);
  if (task === "regression") return `CAST(${t} AS FLOAT)`;
  if (known.length > SQL_CLASSES) return undefined;
  // list_position is 1-based, and 0 or NULL (by DuckDB version) for a label not in the list.
  const list = `[${known.map((c) => literal(c)).join(", ")}]::VARCHAR[]`;
  return `CAST(coalesce(list_position(${list}, CAST(${t} AS VARCHAR)), 0) - 1 AS FLOAT)`;
}

/** The SELECT list of feature columns as FLOATs (those in `uncast` as they are); an indicator column the dataset lacks reads as zeros. */
export function featureSelect(ds: Relation, columns: string[], uncast: Set<string> = new Set()): string {
  const present = new Set(ds.columns);
  return columns.map((c) => (uncast.has(c) ? ident(c) : present.has(c) ? `CAST(${ident(c)} AS FLOAT)` : `CAST(0 AS FLOAT)`) + ` AS ${ident(c)}`).join(", ");
}

const quote = nameText;
