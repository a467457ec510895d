import type { AppliedStep } from "../data/steps.js";
import { evaluate, trimSpaces } from "./expr-js.js";
import { compare, isNumericType, own, toBoolean, toDate, toDouble, toInteger, toText, toTimestamp, ValueError, type Value } from "./sql-values.js";

/** A model's column transform as it travels with the model: its steps and the types each step reads. */
export interface PortableTransform {
  steps: AppliedStep[];
  /** For each step, the DuckDB types of the columns it reads (`runtime/transform.ts` `transformTypes`). */
  types: Record<string, string>[];
}

/** The SQL type each `cast ... as T` produces (the catalog's cast types). */
const castTargets: Record<string, (v: Value, type?: string) => Value> = {
  DOUBLE: (v) => toDouble(v),
  BIGINT: (v) => toInteger(v),
  VARCHAR: (v, type) => toText(v, type),
  BOOLEAN: (v) => toBoolean(v),
  DATE: (v) => toDate(v),
  TIMESTAMP: (v) => toTimestamp(v),
};

const castSql: Record<string, string> = { number: "DOUBLE", double: "DOUBLE", float: "DOUBLE", integer: "BIGINT", int: "BIGINT", string: "VARCHAR", text: "VARCHAR", varchar: "VARCHAR", boolean: "BOOLEAN", bool: "BOOLEAN", date: "DATE", timestamp: "TIMESTAMP" };

type Row = Record<string, Value>;
type CompiledStep = (row: Row) => Row;

/**
 * Applies a model's column transform to one row, in plain JavaScript, as the SQL of the same steps
 * does in DuckDB (`runtime/data/steps.ts` `compileStep`): fills, one-hot indicators, scaling,
 * buckets, clips, replacements, derived columns, casts, text steps, renames, dropped and kept columns.
 * Row filters are not part of a model's transform. A value a step cannot take throws `ValueError`.
 */
export function applyTransform(input: Record<string, Value>, transform: PortableTransform): Record<string, Value> {
  return compileTransform(transform)(input);
}

/**
 * The transform as one function of a row, its steps' columns, types and fitted constants looked up
 * once: a server calls it per request, where re-reading the steps cost more than the model.
 */
export function compileTransform(transform: PortableTransform): (input: Record<string, Value>) => Record<string, Value> {
  const steps = transform.steps.map((applied, i) => compileStep(applied, transform.types[i] ?? {})).filter((f): f is CompiledStep => f !== undefined);
  return (input) => {
    let row: Row = Object.create(null);
    for (const k in input) if (Object.hasOwn(input, k)) row[k] = input[k];
    for (const step of steps) row = step(row);
    return row;
  };
}

const get = (row: Row, c: string): Value => (Object.hasOwn(row, c) ? row[c] : null);

/** One step as a function of a row (which it may change in place); undefined for steps that only filter rows. */
function compileStep({ step, fitted }: AppliedStep, types: Record<string, string>): CompiledStep | undefined {
  const cols = "columns" in step && Array.isArray(step.columns) ? step.columns.map((c) => c.text) : [];
  const typeOf = cols.map((c) => own(types, c));
  switch (step.kind) {
    case "drop-rows":
    case "keep-rows":
    case "drop-duplicates":
      return undefined;
    case "drop-columns":
      return (row) => {
        for (const c of cols) delete row[c];
        return row;
      };
    case "keep-columns":
      return (row) => {
        const next: Row = Object.create(null);
        for (const c of cols) next[c] = get(row, c);
        return next;
      };
    case "fill": {
      const fills = cols.map((c) => (step.strategy === "value" ? (step.value?.value ?? null) : fitted?.kind === "fill" ? (own(fitted.values, c) ?? null) : null));
      return (row) => {
        cols.forEach((c, j) => {
          if (get(row, c) === null) row[c] = fills[j];
        });
        return row;
      };
    }
    case "onehot": {
      if (fitted?.kind !== "onehot") return () => {
        throw new ValueError("onehot applied before it was fitted");
      };
      const vocabs = cols.map((c) => own(fitted.vocab, c) ?? []);
      // The indicator names in the order they are set: each column's values, then its `__other`.
      const names = cols.flatMap((c, j) => [...vocabs[j].map((v) => `${c}_${v}`), `${c}__other`]);
      const sets = vocabs.map((v) => new Set(v));
      return (row) => {
        // Every indicator is computed before any is set, as the SQL computes them from the row it reads.
        const values = new Array<number>(names.length);
        let at = 0;
        for (let j = 0; j < cols.length; j++) {
          const text = toText(get(row, cols[j]), typeOf[j]);
          const vocab = vocabs[j];
          for (let k = 0; k < vocab.length; k++) values[at++] = text === vocab[k] ? 1 : 0;
          values[at++] = text !== null && !sets[j].has(text) ? 1 : 0;
          delete row[cols[j]];
        }
        for (let q = 0; q < names.length; q++) row[names[q]] = values[q];
        return row;
      };
    }
    case "replace": {
      const c = step.column.text;
      return (row) => {
        if (compare(get(row, c), step.from.value) === 0) row[c] = step.to.value;
        return row;
      };
    }
    case "clip":
      return (row) => {
        for (const c of cols) {
          const v = get(row, c);
          const low = compare(v, step.low.value);
          const high = compare(v, step.high.value);
          if (low !== null && low < 0) row[c] = step.low.value;
          else if (high !== null && high > 0) row[c] = step.high.value;
        }
        return row;
      };
    case "derive":
      return (row) => {
        row[step.name.text] = evaluate(step.expr, row, types);
        return row;
      };
    case "cast": {
      const sql = castSql[step.type.text.toLowerCase()];
      const to = sql && castTargets[sql];
      return (row) => {
        if (!to) throw new ValueError(`unknown type ${step.type.text}`);
        cols.forEach((c, j) => (row[c] = to(get(row, c), typeOf[j])));
        return row;
      };
    }
    case "text":
      return (row) => {
        cols.forEach((c, j) => {
          const t = toText(get(row, c), typeOf[j]);
          row[c] = t === null ? null : step.op === "trim" ? trimSpaces(t) : step.op === "lower" ? t.toLowerCase() : t.toUpperCase();
        });
        return row;
      };
    case "scale": {
      if (fitted?.kind !== "scale") return () => {
        throw new ValueError("scale applied before it was fitted");
      };
      const stats = cols.map((c) => own(fitted.stats, c)!);
      return (row) => {
        cols.forEach((c, j) => {
          const v = toDouble(get(row, c));
          row[c] = v === null ? null : (v - stats[j].center) / stats[j].scale;
        });
        return row;
      };
    }
    case "bucket": {
      if (fitted?.kind !== "bucket") return () => {
        throw new ValueError("bucket applied before it was fitted");
      };
      const c = step.column.text;
      const edges = fitted.edges;
      return (row) => {
        const v = get(row, c);
        if (v === null) return row;
        const i = edges.findIndex((e) => compare(v, e)! < 0);
        row[c] = i < 0 ? edges.length : i;
        return row;
      };
    }
    case "rename":
      return (row) => {
        const next: Row = Object.create(null);
        for (const k in row) next[k === step.from.text ? step.to.text : k] = row[k];
        return next;
      };
  }
}

/**
 * A feature value as the model reads it: DuckDB's `CAST(x AS FLOAT)` (booleans as 0/1). Missing and
 * non-finite values are refused, as training refuses them; for a model that takes missing values
 * (`missing`, see models/missing-values.ts) a missing value or NaN reads as NaN, as in training.
 */
export function featureValue(v: Value, column: string, missing = false): number {
  if (v === null) {
    if (missing) return NaN;
    throw new ValueError(`feature \`${column}\` is missing`);
  }
  const d = typeof v === "boolean" ? (v ? 1 : 0) : toDouble(v)!;
  const f = Math.fround(d);
  if (Number.isNaN(f) && missing) return NaN;
  if (!Number.isFinite(f)) throw new ValueError(`feature \`${column}\` is ${Number.isNaN(d) ? "NaN" : "infinite"}`);
  return f;
}

/** Which JSON values a column of a DuckDB type accepts as input, as a test made once per column. */
export function acceptor(type: string): (v: unknown) => boolean {
  if (isNumericType(type)) return (v) => v === null || typeof v === "number" || typeof v === "boolean";
  if (type === "BOOLEAN") return (v) => v === null || typeof v === "boolean";
  return (v) => v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean";
}
