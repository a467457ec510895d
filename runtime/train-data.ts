import type { Database } from "./data/database.js";
import { checkFeatures } from "./data/feature-check.js";
import { DataError } from "./data/source.js";
import type { Matrix, Task } from "./models/types.js";
import { ident, type SqlIdent } from "./sql/quote.js";
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
}

/** Expands one-hot columns into their indicator columns. */
export function expandFeatures(features: string[], ds: Relation): string[] {
  return features.flatMap((f) => own(ds.expansions, f) ?? [f]);
}

/**
 * Reads features into Float32Array columns, refusing missing, NaN and infinite values with an
 * error that names the column, the dataset and the count. Indicator columns a dataset lacks
 * (a category it never saw) read as zeros.
 */
export async function readMatrix(db: Database, ds: Relation, name: string, columns: string[]): Promise<Matrix> {
  const present = new Set(ds.columns);
  await checkFeatures(db, ds.relation, name, columns.filter((c) => present.has(c)));
  if (!columns.length) throw new DataError(`no features to train on in \`${name}\``);
  const select = columns.map((c) => (present.has(c) ? `CAST(${ident(c)} AS FLOAT)` : `CAST(0 AS FLOAT)`) + ` AS ${ident(c)}`).join(", ");
  const { n, columns: cols } = await db.float32Columns(`SELECT ${select} FROM ${ds.relation}`);
  return { n, columns: cols, names: columns };
}

/** Reads the target: class indices against `classes` (unknown labels → -1) or values for regression. */
export async function readTarget(db: Database, ds: Relation, name: string, target: string, task: Task, classes?: string[]): Promise<{ y: Float32Array; classes: string[] }> {
  if (task === "regression") {
    const { columns } = await db.float32Columns(`SELECT CAST(${ident(target)} AS FLOAT) FROM ${ds.relation}`);
    const y = columns[0];
    const bad = y.reduce((a, v) => a + (Number.isFinite(v) ? 0 : 1), 0);
    if (bad) throw new DataError(`target \`${target}\` has ${bad} missing or non-finite values in \`${name}\``);
    return { y, classes: [] };
  }
  const labels = await db.strings(`SELECT CAST(${ident(target)} AS VARCHAR) FROM ${ds.relation}`);
  const missing = labels.filter((l) => l === null).length;
  if (missing) throw new DataError(`target \`${target}\` has ${missing} missing values in \`${name}\`; drop them (\`drop rows where ${quote(target)} is missing\`)`);
  const known = classes ?? [...new Set(labels as string[])].sort();
  const index = new Map(known.map((c, i) => [c, i]));
  const y = new Float32Array(labels.length);
  labels.forEach((l, i) => (y[i] = index.get(l as string) ?? -1));
  return { y, classes: known };
}

const quote = nameText;
