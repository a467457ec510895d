import { assertNever } from "../../language/assert-never.js";
import { dict, own } from "../../language/lookup.js";
import type { Literal, LiteralValue, Name, PrepareStep } from "../../language/ast.js";
import { castType } from "../../language/catalog.js";
import { compileExpr } from "../sql/expr.js";
import { commentText, ident, literal, programName } from "../sql/quote.js";
import { DataError } from "./source.js";
import type { Database } from "./database.js";
import { exactMoments, type Moments, type MomentsDialect, type RunQuery } from "./exact-moments.js";

/** What a fitted step learned from training rows; applied unchanged to every other row. */
export type FittedState =
  | { kind: "fill"; values: Record<string, LiteralValue> }
  | { kind: "onehot"; vocab: Record<string, string[]> }
  | { kind: "scale"; stats: Record<string, { center: number; scale: number }> }
  | { kind: "bucket"; edges: number[] };

/** A step with its learned constants: the serialisable form shipped inside models. */
export interface AppliedStep {
  step: PrepareStep;
  fitted?: FittedState;
  /**
   * Instead of stored constants, compute them in the query from the step's input rows (scalar
   * subqueries). Only for datasets kept as views, which learn from their own rows when read;
   * never for anything shipped with a model. One-hot cannot be inline: its vocabulary names columns.
   */
  inline?: boolean;
}

/** True for steps that learn statistics from data (and so must learn them on training rows only): the language's one rule. */
export { isFitted } from "../../language/fitted.js";
import { isFitted } from "../../language/fitted.js";

const names = (ns: Name[]) => ns.map((n) => n.text);
const lit = (l: Literal) => literal(l.value);

/** The name of the indicator column for one category of a one-hot column. */
export function onehotColumn(column: string, value: string): string {
  return `${column}_${value}`;
}

/** The indicator column that catches categories unseen while fitting. */
export function onehotOther(column: string): string {
  return `${column}__other`;
}

/** The query a fill learns its value with (median, mean, or the most frequent value, ties to the smallest). */
function fillQuery(strategy: "median" | "mean" | "mode" | "value", column: string, relation: string): string {
  const q = ident(column);
  if (strategy === "median") return `SELECT median(${q}) FROM ${relation}`;
  if (strategy === "mean") return `SELECT avg(${q}) FROM ${relation}`;
  // Mode ties break on the smallest value so the result does not depend on row order.
  return `SELECT ${q} FROM ${relation} WHERE ${q} IS NOT NULL GROUP BY ${q} ORDER BY count(*) DESC, ${q} LIMIT 1`;
}

/**
 * The DuckDB queries that learn a fitted step's constants from `relation`, in the order
 * `readFitted` takes their rows (every dialect names its result columns the same way:
 * `c0..` for fills, `v` for a one-hot vocabulary, `lo0/hi0..` for a minmax scale, `edges`).
 * None for the steps that learn from sums (`learnsFromSums`): they learn through `exactMoments`.
 */
export function fitQueries(step: PrepareStep, relation: string): string[] | undefined {
  switch (step.kind) {
    case "fill": {
      if (step.strategy === "value" || step.strategy === "mean") return undefined;
      const exprs = names(step.columns).map((c, i) => {
        const q = ident(c);
        if (step.strategy === "median") return `median(${q}) AS c${i}`;
        return `(${fillQuery("mode", c, relation)}) AS c${i}`;
      });
      return [`SELECT ${exprs.join(", ")} FROM ${relation}`];
    }
    case "onehot":
      // NULL comes back as one more value and `readFitted` leaves it out: a WHERE on the column
      // is pushed below the steps before it, which then compute it twice (DuckDB 1.5).
      return names(step.columns).map((c) => `SELECT DISTINCT CAST(${ident(c)} AS VARCHAR) AS v FROM ${relation} ORDER BY v`);
    case "scale": {
      if (step.method === "standard") return undefined;
      // One scan for all the step's columns.
      const exprs = names(step.columns).map((c, i) => `min(${ident(c)})::DOUBLE AS lo${i}, max(${ident(c)})::DOUBLE AS hi${i}`);
      return [`SELECT ${exprs.join(", ")} FROM ${relation}`];
    }
    case "bucket": {
      const probs = Array.from({ length: step.count - 1 }, (_, i) => (i + 1) / step.count);
      return [`SELECT quantile_cont(${ident(step.column.text)}, [${probs.join(", ")}]) AS edges FROM ${relation}`];
    }
    default:
      return undefined;
  }
}

/**
 * Whether a step learns the same constants whatever order its rows come in: order statistics
 * (median, quantiles), vocabularies, and means and spreads (exact sums, `exactMoments`). A mode is
 * not counted (ties); a step that learns nothing is, but for `drop duplicates on` keys, whose
 * first row of each key (so what later steps learn from) depends on the order.
 */
export function learnsInAnyOrder(step: PrepareStep): boolean {
  if (step.kind === "drop-duplicates") return !step.on.length;
  if (!isFitted(step)) return true;
  return (step.kind === "fill" && step.strategy !== "mode") || step.kind === "onehot" || step.kind === "bucket" || step.kind === "scale";
}

/** A fitted step's constants from the rows of its `fitQueries` (one result per query, in order), whatever engine ran them. */
export function readFitted(step: PrepareStep, results: Record<string, unknown>[][]): FittedState | undefined {
  switch (step.kind) {
    case "fill": {
      if (step.strategy === "value") return undefined;
      // One row of `c0..` columns: from one query (DuckDB) or one query per column (ClickHouse).
      const row: Record<string, unknown> = Object.assign(dict(), ...results.map((r) => r[0] ?? {}));
      const values: Record<string, LiteralValue> = dict();
      names(step.columns).forEach((c, i) => {
        const v = own(row, `c${i}`);
        values[c] = v === undefined ? null : (v as LiteralValue);
      });
      return { kind: "fill", values };
    }
    case "onehot": {
      const vocab: Record<string, string[]> = dict();
      names(step.columns).forEach((c, i) => (vocab[c] = (results[i] ?? []).flatMap((r) => (r.v === null || r.v === undefined ? [] : [String(r.v)]))));
      return { kind: "onehot", vocab };
    }
    case "scale": {
      const r = results[0]?.[0] ?? {};
      const stats: Record<string, { center: number; scale: number }> = dict();
      names(step.columns).forEach((c, i) => {
        const [lo, hi] = [r[`lo${i}`], r[`hi${i}`]].map((v) => Number(v ?? 0));
        // A constant column scales by 1 so it maps to 0 instead of dividing by zero.
        stats[c] = { center: lo, scale: hi > lo ? hi - lo : 1 };
      });
      return { kind: "scale", stats };
    }
    case "bucket": {
      const edges = ((results[0]?.[0]?.edges as number[] | null) ?? []).map(Number);
      return { kind: "bucket", edges };
    }
    default:
      return undefined;
  }
}

/** What `learnStep` needs of an engine's dialect. */
export type LearningDialect = MomentsDialect & { fitQueries(step: PrepareStep, relation: string): string[] | undefined };

const duckLearning: LearningDialect = { engine: "duckdb", ident, fitQueries };

/**
 * Learns a fitted step's constants from a relation (the training rows as they stand before the
 * step) on any engine: `run` runs a query there. Means and spreads come from exact sums, so the
 * same rows give the same constants, bit for bit, on every run, thread count and engine.
 */
export async function learnStep(run: RunQuery, dialect: LearningDialect, step: PrepareStep, relation: string): Promise<FittedState | undefined> {
  if (learnsFromSums(step)) return fromMoments(step, await exactMoments(run, dialect, relation, names(step.columns), step.kind === "scale"));
  const queries = dialect.fitQueries(step, relation);
  if (!queries) return undefined;
  const results: Record<string, unknown>[][] = [];
  for (const q of queries) results.push(await run(q));
  return readFitted(step, results);
}

/** Learns a fitted step's constants on DuckDB (`learnStep`). */
export async function fitStep(db: Database, step: PrepareStep, relation: string): Promise<FittedState | undefined> {
  return learnStep((sql) => db.rows(sql), duckLearning, step, relation);
}

/** Whether a step's constants are sums over its rows (a mean, a standard deviation): learned by `exactMoments`. */
export function learnsFromSums(step: PrepareStep): step is Extract<PrepareStep, { kind: "scale" | "fill" }> {
  return (step.kind === "scale" && step.method === "standard") || (step.kind === "fill" && step.strategy === "mean");
}

/** A mean fill's or standard scale's constants from its columns' moments. */
function fromMoments(step: Extract<PrepareStep, { kind: "scale" | "fill" }>, moments: Moments[]): FittedState {
  if (step.kind === "fill") {
    const values: Record<string, LiteralValue> = dict();
    names(step.columns).forEach((c, i) => (values[c] = moments[i].mean));
    return { kind: "fill", values };
  }
  const stats: Record<string, { center: number; scale: number }> = dict();
  names(step.columns).forEach((c, i) => {
    const { mean, std } = moments[i];
    // A constant column scales by 1 so it maps to 0 instead of dividing by zero.
    stats[c] = { center: mean ?? 0, scale: std !== null && std > 0 ? std : 1 };
  });
  return { kind: "scale", stats };
}

/** Compiles one step to a SELECT over `input`. `columns` are the input's column names (some steps need them). */
export function compileStep(applied: AppliedStep, input: string, columns: string[]): string {
  const { step, fitted } = applied;
  const from = `FROM ${input}`;
  const replace = (pairs: [string, string][]) => (pairs.length ? `SELECT * REPLACE (${pairs.map(([c, e]) => `${e} AS ${ident(c)}`).join(", ")}) ${from}` : `SELECT * ${from}`);
  switch (step.kind) {
    case "drop-rows":
      // A condition that is NULL (a missing value compared) does not drop the row.
      return `SELECT * ${from} WHERE (${compileExpr(step.where)}) IS NOT TRUE`;
    case "keep-rows":
      return `SELECT * ${from} WHERE (${compileExpr(step.where)}) IS TRUE`;
    case "drop-duplicates": {
      // The first occurrence of each row (or key) is kept and rows stay in their input order:
      // DISTINCT alone gives them back in whatever order its parallel hash table ends up in.
      // row_number() over no window numbers rows in the order they arrive.
      const numbered = `(SELECT *, row_number() OVER () AS __lathe_row ${from})`;
      if (!step.on.length) {
        const cols = columns.map(ident).join(", ");
        return `SELECT * EXCLUDE (__lathe_row) FROM (SELECT ${cols}, min(__lathe_row) AS __lathe_row FROM ${numbered} GROUP BY ${cols}) ORDER BY __lathe_row`;
      }
      return `SELECT * EXCLUDE (__lathe_row) FROM ${numbered} QUALIFY row_number() OVER (PARTITION BY ${names(step.on).map(ident).join(", ")} ORDER BY __lathe_row) = 1 ORDER BY __lathe_row`;
    }
    case "drop-columns":
      return `SELECT * EXCLUDE (${names(step.columns).map(ident).join(", ")}) ${from}`;
    case "keep-columns":
      return `SELECT ${names(step.columns).map(ident).join(", ")} ${from}`;
    case "fill": {
      if (step.strategy === "value") return replace(names(step.columns).map((c) => [c, `coalesce(${ident(c)}, ${lit(step.value!)})`]));
      if (applied.inline) return replace(names(step.columns).map((c) => [c, `coalesce(${ident(c)}, (${fillQuery(step.strategy, c, input)}))`]));
      if (fitted?.kind !== "fill") throw new Error(`fill ${step.strategy} applied before it was fitted`);
      return replace(names(step.columns).map((c) => [c, `coalesce(${ident(c)}, ${literal(own(fitted.values, c) ?? null)})`]));
    }
    case "onehot": {
      if (fitted?.kind !== "onehot") throw new Error("onehot applied before it was fitted");
      const cols = names(step.columns);
      const indicators = cols.flatMap((c) => {
        const q = `CAST(${ident(c)} AS VARCHAR)`;
        const vocab = own(fitted.vocab, c) ?? [];
        const known = vocab.length ? `${q} IN (${vocab.map((v) => literal(v)).join(", ")})` : "FALSE";
        return [
          ...vocab.map((v) => `CAST(coalesce(${q} = ${literal(v)}, FALSE) AS DOUBLE) AS ${ident(onehotColumn(c, v))}`),
          `CAST(coalesce(${q} IS NOT NULL AND NOT (${known}), FALSE) AS DOUBLE) AS ${ident(onehotOther(c))}`,
        ];
      });
      return `SELECT * EXCLUDE (${cols.map(ident).join(", ")}), ${indicators.join(", ")} ${from}`;
    }
    case "replace": {
      const c = ident(step.column.text);
      return replace([[step.column.text, `CASE WHEN ${c} = ${lit(step.from)} THEN ${lit(step.to)} ELSE ${c} END`]]);
    }
    case "clip":
      // Not least/greatest: they skip NULLs, which would turn a missing value into a bound.
      return replace(names(step.columns).map((c) => [c, `CASE WHEN ${ident(c)} < ${lit(step.low)} THEN ${lit(step.low)} WHEN ${ident(c)} > ${lit(step.high)} THEN ${lit(step.high)} ELSE ${ident(c)} END`]));
    case "derive": {
      const e = compileExpr(step.expr);
      if (columns.includes(step.name.text)) return replace([[step.name.text, e]]);
      return `SELECT *, ${e} AS ${ident(step.name.text)} ${from}`;
    }
    case "cast": {
      const t = castType(step.type.text);
      if (!t) throw new DataError(`unknown type ${step.type.text}`);
      return replace(names(step.columns).map((c) => [c, `CAST(${ident(c)} AS ${t.sql})`]));
    }
    case "text":
      return replace(names(step.columns).map((c) => [c, `${step.op}(${ident(c)})`]));
    case "scale": {
      if (applied.inline) {
        return replace(
          names(step.columns).map((c) => {
            const q = ident(c);
            // The same guards as fitStep: a constant column scales by 1.
            const [center, scale] = step.method === "standard" ? [`avg(${q})`, `CASE WHEN stddev_pop(${q}) > 0 THEN stddev_pop(${q}) ELSE 1 END`] : [`min(${q})`, `CASE WHEN max(${q}) > min(${q}) THEN max(${q}) - min(${q}) ELSE 1 END`];
            return [c, `((${q} - (SELECT CAST(${center} AS DOUBLE) FROM ${input})) / (SELECT CAST(${scale} AS DOUBLE) FROM ${input}))`];
          }),
        );
      }
      if (fitted?.kind !== "scale") throw new Error("scale applied before it was fitted");
      return replace(names(step.columns).map((c) => [c, `((${ident(c)} - ${literal(own(fitted.stats, c)!.center)}) / ${literal(own(fitted.stats, c)!.scale)})`]));
    }
    case "bucket": {
      if (applied.inline) {
        const c = ident(step.column.text);
        const probs = Array.from({ length: step.count - 1 }, (_, i) => literal((i + 1) / step.count));
        const edges = `(SELECT quantile_cont(${c}, [${probs.join(", ")}]) FROM ${input})`;
        const arms = probs.map((_, i) => `WHEN ${c} < ${edges}[${i + 1}] THEN ${i}`).join(" ");
        return replace([[step.column.text, `CASE WHEN ${c} IS NULL THEN NULL ${arms} ELSE ${probs.length} END`]]);
      }
      if (fitted?.kind !== "bucket") throw new Error("bucket applied before it was fitted");
      const c = ident(step.column.text);
      const arms = fitted.edges.map((e, i) => `WHEN ${c} < ${literal(e)} THEN ${i}`).join(" ");
      return replace([[step.column.text, `CASE WHEN ${c} IS NULL THEN NULL ${arms} ELSE ${fitted.edges.length} END`]]);
    }
    case "rename":
      return `SELECT * RENAME (${ident(step.from.text)} AS ${ident(step.to.text)}) ${from}`;
    default:
      return assertNever(step);
  }
}

/** The column names after a step, computed from the input's columns and the step (no query needed). */
export function columnsAfter(applied: AppliedStep, columns: string[]): string[] {
  const { step, fitted } = applied;
  switch (step.kind) {
    case "drop-columns": {
      const drop = new Set(names(step.columns));
      return columns.filter((c) => !drop.has(c));
    }
    case "keep-columns":
      return names(step.columns);
    case "onehot": {
      const cols = new Set(names(step.columns));
      const vocab = fitted?.kind === "onehot" ? fitted.vocab : {};
      return [...columns.filter((c) => !cols.has(c)), ...names(step.columns).flatMap((c) => [...(vocab[c] ?? []).map((v) => onehotColumn(c, v)), onehotOther(c)])];
    }
    case "derive":
      return columns.includes(step.name.text) ? columns : [...columns, step.name.text];
    case "rename":
      return columns.map((c) => (c === step.from.text ? step.to.text : c));
    default:
      return columns;
  }
}

/** A one-line description of a step with what it learned, for `lathe explain`: `fill x with median (learned x = 3.5)`. */
export function stepText(applied: AppliedStep): string {
  const { step, fitted } = applied;
  const name = programName;
  const cols = (ns: Name[]) => ns.map((n) => name(n.text)).join(", ");
  const learned = applied.inline ? " (learned from these rows when read)" : fitted ? ` (learned ${JSON.stringify(fitted.kind === "fill" ? fitted.values : fitted.kind === "onehot" ? fitted.vocab : fitted.kind === "scale" ? fitted.stats : fitted.edges)})` : "";
  const text = (() => {
    switch (step.kind) {
      case "drop-rows":
        return `drop rows where ${compileExpr(step.where)}`;
      case "keep-rows":
        return `keep rows where ${compileExpr(step.where)}`;
      case "drop-duplicates":
        return `drop duplicates${step.on.length ? ` on ${cols(step.on)}` : ""}`;
      case "drop-columns":
        return `drop columns ${cols(step.columns)}`;
      case "keep-columns":
        return `keep columns ${cols(step.columns)}`;
      case "fill":
        return `fill ${cols(step.columns)} with ${step.strategy === "value" ? JSON.stringify(step.value?.value) : step.strategy}`;
      case "onehot":
        return `onehot ${cols(step.columns)}`;
      case "replace":
        return `replace ${name(step.column.text)} ${JSON.stringify(step.from.value)} -> ${JSON.stringify(step.to.value)}`;
      case "clip":
        return `clip ${cols(step.columns)} between ${step.low.value} and ${step.high.value}`;
      case "derive":
        return `derive ${name(step.name.text)}`;
      case "cast":
        return `cast ${cols(step.columns)} as ${step.type.text}`;
      case "text":
        return `${step.op} ${cols(step.columns)}`;
      case "scale":
        return `scale ${cols(step.columns)} ${step.method}`;
      case "bucket":
        return `bucket ${name(step.column.text)} into ${step.count}`;
      case "rename":
        return `rename ${name(step.from.text)} to ${name(step.to.text)}`;
      default:
        return assertNever(step);
    }
  })();
  // A comment must stay on its line whatever the names hold.
  return commentText(text + learned);
}

/** Onehot expansions: which indicator columns stand for each one-hot column, from fitted states. */
export function expansions(steps: AppliedStep[]): Record<string, string[]> {
  const out: Record<string, string[]> = dict();
  for (const { step, fitted } of steps) {
    if (step.kind === "onehot" && fitted?.kind === "onehot") {
      for (const c of names(step.columns)) out[c] = [...(own(fitted.vocab, c) ?? []).map((v) => onehotColumn(c, v)), onehotOther(c)];
    }
  }
  return out;
}
