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

/**
 * Applies a model's column transform to one row, in plain JavaScript, as the SQL of the same steps
 * does in DuckDB (`runtime/data/steps.ts` `compileStep`): fills, one-hot indicators, scaling,
 * buckets, clips, replacements, derived columns, casts, text steps, renames, dropped and kept columns.
 * Row filters are not part of a model's transform. A value a step cannot take throws `ValueError`.
 */
export function applyTransform(input: Record<string, Value>, transform: PortableTransform): Record<string, Value> {
  let row: Record<string, Value> = Object.assign(Object.create(null), input);
  transform.steps.forEach(({ step, fitted }, i) => {
    const types = transform.types[i] ?? {};
    const cols = "columns" in step && Array.isArray(step.columns) ? step.columns.map((c) => c.text) : [];
    const get = (c: string): Value => (Object.hasOwn(row, c) ? row[c] : null);
    switch (step.kind) {
      case "drop-rows":
      case "keep-rows":
      case "drop-duplicates":
        return;
      case "drop-columns":
        for (const c of cols) delete row[c];
        return;
      case "keep-columns":
        row = Object.assign(Object.create(null), Object.fromEntries(cols.map((c) => [c, get(c)])));
        return;
      case "fill":
        for (const c of cols) {
          if (get(c) !== null) continue;
          row[c] = step.strategy === "value" ? (step.value?.value ?? null) : fitted?.kind === "fill" ? (own(fitted.values, c) ?? null) : null;
        }
        return;
      case "onehot": {
        if (fitted?.kind !== "onehot") throw new ValueError("onehot applied before it was fitted");
        const indicators: Record<string, Value> = Object.create(null);
        for (const c of cols) {
          const text = toText(get(c), own(types, c));
          const vocab = own(fitted.vocab, c) ?? [];
          for (const v of vocab) indicators[`${c}_${v}`] = text === v ? 1 : 0;
          indicators[`${c}__other`] = text !== null && !vocab.includes(text) ? 1 : 0;
          delete row[c];
        }
        row = Object.assign(Object.create(null), row, indicators);
        return;
      }
      case "replace": {
        const c = step.column.text;
        if (compare(get(c), step.from.value) === 0) row[c] = step.to.value;
        return;
      }
      case "clip":
        for (const c of cols) {
          const v = get(c);
          if (compare(v, step.low.value) !== null && compare(v, step.low.value)! < 0) row[c] = step.low.value;
          else if (compare(v, step.high.value) !== null && compare(v, step.high.value)! > 0) row[c] = step.high.value;
        }
        return;
      case "derive":
        row[step.name.text] = evaluate(step.expr, row, types);
        return;
      case "cast": {
        const sql = castSql[step.type.text.toLowerCase()];
        const to = sql && castTargets[sql];
        if (!to) throw new ValueError(`unknown type ${step.type.text}`);
        for (const c of cols) row[c] = to(get(c), own(types, c));
        return;
      }
      case "text":
        for (const c of cols) {
          const t = toText(get(c), own(types, c));
          row[c] = t === null ? null : step.op === "trim" ? trimSpaces(t) : step.op === "lower" ? t.toLowerCase() : t.toUpperCase();
        }
        return;
      case "scale":
        if (fitted?.kind !== "scale") throw new ValueError("scale applied before it was fitted");
        for (const c of cols) {
          const v = toDouble(get(c));
          const stat = own(fitted.stats, c)!;
          row[c] = v === null ? null : (v - stat.center) / stat.scale;
        }
        return;
      case "bucket": {
        if (fitted?.kind !== "bucket") throw new ValueError("bucket applied before it was fitted");
        const c = step.column.text;
        const v = get(c);
        if (v === null) return;
        const i = fitted.edges.findIndex((e) => compare(v, e)! < 0);
        row[c] = i < 0 ? fitted.edges.length : i;
        return;
      }
      case "rename": {
        const next: Record<string, Value> = Object.create(null);
        for (const [k, v] of Object.entries(row)) next[k === step.from.text ? step.to.text : k] = v;
        row = next;
        return;
      }
    }
  });
  return row;
}

/**
 * A feature value as the model reads it: DuckDB's `CAST(x AS FLOAT)` (booleans as 0/1). Missing and
 * non-finite values are refused, as training refuses them.
 */
export function featureValue(v: Value, column: string): number {
  if (v === null) throw new ValueError(`feature \`${column}\` is missing`);
  const d = typeof v === "boolean" ? (v ? 1 : 0) : toDouble(v)!;
  const f = Math.fround(d);
  if (!Number.isFinite(f)) throw new ValueError(`feature \`${column}\` is ${Number.isNaN(d) ? "NaN" : "infinite"}`);
  return f;
}

/** Which JSON values a column of a DuckDB type accepts as input. */
export function acceptsValue(type: string, v: unknown): boolean {
  if (v === null) return true;
  if (isNumericType(type)) return typeof v === "number" || typeof v === "boolean";
  if (type === "BOOLEAN") return typeof v === "boolean";
  return typeof v === "string" || typeof v === "number" || typeof v === "boolean";
}
