import { assertNever } from "../../language/assert-never.js";
import type { Expr, PrepareStep } from "../../language/ast.js";
import { castType } from "../../language/catalog.js";
import { own } from "../../language/lookup.js";
import { columnsAfter as columnsAfterStep, onehotColumn, onehotOther, type AppliedStep } from "../data/steps.js";
import { DialectError, nullText, partCase, rankCase, valueText, type PortableSplitSpec, type SqlDialect, type TypedColumn, type ValueForms, type ValueKind } from "./dialect.js";

/**
 * ClickHouse SQL, written for the oldest server the tests run (Debian's 18.16), which current
 * releases also accept: no window functions, no `* EXCEPT/REPLACE`, no CTEs of queries, no TRUE/FALSE.
 * Where 18.16 differs from DuckDB in meaning (round half to even, least/greatest/concat and NULL,
 * byte-wise lower/upper, approximate median) the SQL computes DuckDB's meaning; what it cannot
 * throws a `DialectError`. One more trap it avoids: 18.16 substitutes a SELECT's aliases into
 * every expression of that SELECT, qualified or not, so a replaced column is computed under a
 * temporary name one level down and renamed above.
 */

/** Quotes an identifier with backquotes; backslash escapes, as ClickHouse reads them. */
function ident(name: string): string {
  return "`" + name.replace(/\\/g, "\\\\").replace(/`/g, "\\`") + "`";
}

/** A literal ClickHouse reads back as the same value (strings: backslash escapes; booleans as 1/0, its UInt8). */
function literal(value: string | number | boolean | null | bigint): string {
  if (value === null) return "NULL";
  if (typeof value === "boolean") return value ? "1" : "0";
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return Number.isNaN(value) ? "nan" : value > 0 ? "inf" : "-inf";
    if (Object.is(value, -0)) return "-0.";
    if (Number.isInteger(value) && Math.abs(value) < 2 ** 53) return `${value}`;
    return value.toExponential();
  }
  return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

const engine = "clickhouse";

/** DuckDB's round: half away from zero (ClickHouse 18.16 rounds floats half to even). x - trunc(x) is exact. */
function roundHalfAway(x: string): string {
  return `if(abs(${x} - trunc(${x})) >= 0.5, trunc(${x}) + if(${x} < 0, -1, 1), trunc(${x}))`;
}

/** Expression functions: each computes what DuckDB's function of that name does. */
const functions: Record<string, (args: string[]) => string> = {
  abs: ([x]) => `abs(${x})`,
  ln: ([x]) => `log(${x})`,
  log10: ([x]) => `log10(${x})`,
  log2: ([x]) => `log2(${x})`,
  exp: ([x]) => `exp(${x})`,
  sqrt: ([x]) => `sqrt(${x})`,
  floor: ([x]) => `floor(${x})`,
  ceil: ([x]) => `ceil(${x})`,
  pow: ([x, y]) => `pow(${x}, ${y})`,
  // DuckDB's least/greatest skip NULLs; 18.16's take two arguments and return NULL for one.
  least: (args) => args.reduce((a, b) => `if(isNull(${a}), ${b}, if(isNull(${b}), ${a}, least(${a}, ${b})))`),
  greatest: (args) => args.reduce((a, b) => `if(isNull(${a}), ${b}, if(isNull(${b}), ${a}, greatest(${a}, ${b})))`),
  length: ([x]) => `lengthUTF8(${x})`,
  lower: ([x]) => `lowerUTF8(${x})`,
  upper: ([x]) => `upperUTF8(${x})`,
  trim: ([x]) => `replaceRegexpAll(${x}, '^ +| +$', '')`,
  substr: (args) => `substringUTF8(${args.join(", ")})`,
  coalesce: (args) => `coalesce(${args.join(", ")})`,
  year: ([x]) => `toYear(${x})`,
  month: ([x]) => `toMonth(${x})`,
  day: ([x]) => `toDayOfMonth(${x})`,
  hour: ([x]) => `toHour(${x})`,
  // DuckDB counts Sunday as 0; ClickHouse Monday 1 .. Sunday 7.
  dayofweek: ([x]) => `(toDayOfWeek(${x}) % 7)`,
};

/** A Lathe expression in ClickHouse SQL. */
function expr(e: Expr): string {
  switch (e.kind) {
    case "literal":
      return literal(e.value);
    case "column":
      return ident(e.name.text);
    case "unary":
      return e.op === "not" ? `(NOT ${expr(e.operand)})` : `(-${expr(e.operand)})`;
    case "binary": {
      const [a, b] = [expr(e.left), expr(e.right)];
      // SQL's three-valued logic, as DuckDB has it (FALSE AND NULL is FALSE, TRUE OR NULL is TRUE);
      // 18.16's AND and OR give NULL whenever an operand is NULL.
      if (e.op === "and") return `multiIf(ifNull(${a}, 1) = 0 OR ifNull(${b}, 1) = 0, 0, isNull(${a}) OR isNull(${b}), NULL, 1)`;
      if (e.op === "or") return `multiIf(ifNull(${a}, 0) != 0 OR ifNull(${b}, 0) != 0, 1, isNull(${a}) OR isNull(${b}), NULL, 0)`;
      if (e.op === "/") return `(toFloat64(${a}) / ${b})`;
      return `(${a} ${e.op} ${b})`;
    }
    case "is-missing": {
      const v = expr(e.operand);
      // As DuckDB's TRY_CAST(v AS DOUBLE) reads it: NaN, and text spelling NaN, counts as missing.
      const missing = `(isNull(${v}) OR lowerUTF8(toString(${v})) IN ('nan', '-nan', '+nan'))`;
      return e.negated ? `(NOT ${missing})` : missing;
    }
    case "between": {
      const test = `(${expr(e.operand)} BETWEEN ${expr(e.low)} AND ${expr(e.high)})`;
      return e.negated ? `(NOT ${test})` : test;
    }
    case "in":
      return `(${expr(e.operand)} ${e.negated ? "NOT " : ""}IN (${e.items.map(expr).join(", ")}))`;
    case "call": {
      const fn = e.fn.text.toLowerCase();
      const args = e.args.map(expr);
      if (fn === "round") {
        if (args.length !== 1) throw new DialectError(engine, "round with a number of digits", "its rounding of decimal digits differs from DuckDB's");
        return roundHalfAway(args[0]);
      }
      if (fn === "concat") return `concat(${args.map((a) => `ifNull(toString(${a}), '')`).join(", ")})`;
      const f = own(functions, fn);
      if (!f) throw new DialectError(engine, `function ${e.fn.text}`, "it has no ClickHouse form");
      return f(args);
    }
    default:
      return assertNever(e);
  }
}

/** ClickHouse's type for a Lathe cast type (Nullable: a missing value stays missing). */
const castTypes: Record<string, string> = { DOUBLE: "Float64", BIGINT: "Int64", VARCHAR: "String", BOOLEAN: "UInt8", DATE: "Date", TIMESTAMP: "DateTime" };

const names = (ns: { text: string }[]) => ns.map((n) => n.text);

/** Columns replaced by expressions: computed under temporary names, renamed one level up (see the file comment). */
function replaceColumns(input: string, columns: string[], pairs: [string, string][]): string {
  if (!pairs.length) return `SELECT * FROM ${input}`;
  const temp = new Map(pairs.map(([c], i) => [c, `__lathe_new_${i}`]));
  const inner = `SELECT *, ${pairs.map(([c, e]) => `${e} AS ${temp.get(c)}`).join(", ")} FROM ${input}`;
  return `SELECT ${columns.map((c) => (temp.has(c) ? `${temp.get(c)} AS ${ident(c)}` : ident(c))).join(", ")} FROM (${inner})`;
}

/** A step that learns its constants as a view is read: not on ClickHouse yet (prepared datasets there are materialised). */
function noInline(step: PrepareStep): never {
  throw new DialectError(engine, `${step.kind} learned when a view is read`, "prepared datasets on ClickHouse learn their constants once, on the training rows");
}

/** One prepare step in ClickHouse SQL over `input` with `columns`. */
function step(applied: AppliedStep, input: string, columns: string[]): string {
  const { step: s, fitted } = applied;
  const q = ident;
  const list = (cs: string[]) => cs.map(q).join(", ");
  switch (s.kind) {
    case "drop-rows":
      // As in DuckDB: a condition that is NULL does not drop the row.
      return `SELECT * FROM ${input} WHERE ifNull((${expr(s.where)}), 0) = 0`;
    case "keep-rows":
      return `SELECT * FROM ${input} WHERE ifNull((${expr(s.where)}), 0) != 0`;
    case "drop-duplicates":
      // DuckDB keeps the first occurrence in input order; a distributed table has no input order,
      // so only whole-row duplicates (whichever copy is kept, it is the same row) are portable.
      if (s.on.length) throw new DialectError(engine, `drop duplicates on ${names(s.on).join(", ")}`, "it keeps the first row of each key in input order, which a distributed table does not have");
      return `SELECT DISTINCT ${list(columns)} FROM ${input}`;
    case "drop-columns": {
      const drop = new Set(names(s.columns));
      return `SELECT ${list(columns.filter((c) => !drop.has(c)))} FROM ${input}`;
    }
    case "keep-columns":
      return `SELECT ${list(names(s.columns))} FROM ${input}`;
    case "fill": {
      if (s.strategy === "value") return replaceColumns(input, columns, names(s.columns).map((c) => [c, `coalesce(${q(c)}, ${literal(s.value!.value)})`]));
      if (applied.inline) noInline(s);
      if (fitted?.kind !== "fill") throw new Error(`fill ${s.strategy} applied before it was fitted`);
      return replaceColumns(input, columns, names(s.columns).map((c) => [c, `coalesce(${q(c)}, ${literal(own(fitted.values, c) ?? null)})`]));
    }
    case "onehot": {
      if (fitted?.kind !== "onehot") throw new Error("onehot applied before it was fitted");
      const cols = names(s.columns);
      const indicators = cols.flatMap((c) => {
        const v = `toString(${q(c)})`;
        const vocab = own(fitted.vocab, c) ?? [];
        const known = vocab.length ? `${v} IN (${vocab.map((x) => literal(x)).join(", ")})` : "0";
        return [
          ...vocab.map((x) => `toFloat64(ifNull(${v} = ${literal(x)}, 0)) AS ${q(onehotColumn(c, x))}`),
          `toFloat64(ifNull(NOT isNull(${q(c)}) AND NOT (${known}), 0)) AS ${q(onehotOther(c))}`,
        ];
      });
      const kept = columns.filter((c) => !cols.includes(c));
      return `SELECT ${[...kept.map(q), ...indicators].join(", ")} FROM ${input}`;
    }
    case "replace": {
      const c = q(s.column.text);
      return replaceColumns(input, columns, [[s.column.text, `CASE WHEN ${c} = ${literal(s.from.value)} THEN ${literal(s.to.value)} ELSE ${c} END`]]);
    }
    case "clip":
      return replaceColumns(input, columns, names(s.columns).map((c) => [c, `CASE WHEN ${q(c)} < ${literal(s.low.value)} THEN ${literal(s.low.value)} WHEN ${q(c)} > ${literal(s.high.value)} THEN ${literal(s.high.value)} ELSE ${q(c)} END`]));
    case "derive": {
      const e = expr(s.expr);
      if (columns.includes(s.name.text)) return replaceColumns(input, columns, [[s.name.text, e]]);
      return `SELECT *, ${e} AS ${q(s.name.text)} FROM ${input}`;
    }
    case "cast": {
      const t = castType(s.type.text);
      const ch = t && own(castTypes, t.sql);
      if (!ch) throw new DialectError(engine, `cast as ${s.type.text}`, "no ClickHouse type matches");
      return replaceColumns(input, columns, names(s.columns).map((c) => [c, `CAST(${q(c)} AS Nullable(${ch}))`]));
    }
    case "text":
      return replaceColumns(input, columns, names(s.columns).map((c) => [c, functions[s.op]([q(c)])]));
    case "scale": {
      if (applied.inline) noInline(s);
      if (fitted?.kind !== "scale") throw new Error("scale applied before it was fitted");
      return replaceColumns(input, columns, names(s.columns).map((c) => [c, `((${q(c)} - ${literal(own(fitted.stats, c)!.center)}) / ${literal(own(fitted.stats, c)!.scale)})`]));
    }
    case "bucket": {
      if (applied.inline) noInline(s);
      if (fitted?.kind !== "bucket") throw new Error("bucket applied before it was fitted");
      const c = q(s.column.text);
      const arms = fitted.edges.map((e, i) => `WHEN ${c} < ${literal(e)} THEN ${i}`).join(" ");
      return replaceColumns(input, columns, [[s.column.text, `CASE WHEN isNull(${c}) THEN NULL ${arms} ELSE ${fitted.edges.length} END`]]);
    }
    case "rename":
      return `SELECT ${columns.map((c) => (c === s.from.text ? `${q(c)} AS ${q(s.to.text)}` : q(c))).join(", ")} FROM ${input}`;
    default:
      return assertNever(s);
  }
}

/**
 * DuckDB's quantile_cont over the sorted non-NULL values `a` (n of them): position (n-1)·p, and
 * between two values lo + (hi - lo)·(position - floor(position)), DuckDB's own arithmetic, so
 * the edges and medians agree bit for bit. Exact, unlike ClickHouse's sampling `median`; it
 * gathers one array of the column on the initiator (docs/scale-out.md says what that costs).
 */
function quantileCont(p: string): string {
  const pos = `((n - 1) * ${p})`;
  const lo = `a[toUInt64(floor(${pos})) + 1]`;
  const hi = `a[toUInt64(ceil(${pos})) + 1]`;
  return `if(n = 0, NULL, ${lo} + (${hi} - ${lo}) * (${pos} - floor(${pos})))`;
}

const sortedValues = (column: string, relation: string) => `(SELECT arraySort(groupArray(toFloat64(${ident(column)}))) AS a, length(a) AS n FROM ${relation})`;

/** The ClickHouse queries that learn a fitted step's constants (result columns as `fitQueries` in data/steps.ts; means and spreads learn through `exactMoments`). */
function fitQueries(s: PrepareStep, relation: string): string[] | undefined {
  switch (s.kind) {
    case "fill": {
      if (s.strategy === "value" || s.strategy === "mean") return undefined;
      // One query per column: each reads its own sorted array or group.
      const one = (c: string, i: number) => {
        const q = ident(c);
        if (s.strategy === "median") return `SELECT ${quantileCont("0.5")} AS c${i} FROM ${sortedValues(c, relation)}`;
        // Ties break on the smallest value, as on DuckDB.
        return `SELECT ${q} AS c${i} FROM ${relation} WHERE NOT isNull(${q}) GROUP BY ${q} ORDER BY count() DESC, ${q} LIMIT 1`;
      };
      return names(s.columns).map(one);
    }
    case "onehot":
      return names(s.columns).map((c) => `SELECT DISTINCT toString(${ident(c)}) AS v FROM ${relation} WHERE NOT isNull(${ident(c)}) ORDER BY v`);
    case "scale": {
      if (s.method === "standard") return undefined;
      const exprs = names(s.columns).map((c, i) => {
        const q = ident(c);
        const guard = (e: string) => `if(count(${q}) = 0, NULL, toFloat64(${e}))`;
        return `${guard(`min(${q})`)} AS lo${i}, ${guard(`max(${q})`)} AS hi${i}`;
      });
      return [`SELECT ${exprs.join(", ")} FROM ${relation}`];
    }
    case "bucket": {
      const probs = Array.from({ length: s.count - 1 }, (_, i) => (i + 1) / s.count);
      return [`SELECT [${probs.map((p) => quantileCont(literal(p))).join(", ")}] AS edges FROM ${sortedValues(s.column.text, relation)}`];
    }
    default:
      return undefined;
  }
}

/** A ClickHouse type name's portable kind (`Nullable(...)` and `LowCardinality(...)` looked through). */
function valueKind(type: string): ValueKind {
  const t = type.replace(/^(Nullable|LowCardinality)\((.*)\)$/, "$2").replace(/^(Nullable|LowCardinality)\((.*)\)$/, "$2");
  if (t === "String") return "string";
  if (/^U?Int(8|16|32|64)$/.test(t)) return "integer";
  if (t === "Float32" || t === "Float64" || t.startsWith("Decimal")) return "float";
  if (t === "Date") return "date";
  if (t === "DateTime" || t.startsWith("DateTime(")) return "timestamp";
  return "other";
}

/** A float's canonical text (see `SqlDialect.rowText`), the same cases as the DuckDB dialect's. */
function floatText(x: string): string {
  const whole = (y: string) => `if(${y} = trunc(${y}), toString(toInt64(${y})), toString(${y}))`;
  const tiny = `(${x} * 18446744073709551616.)`;
  const huge = `(${x} / 18446744073709551616.)`;
  return (
    `multiIf(isNull(${x}), NULL, isNaN(${x}), 'nan', isInfinite(${x}), if(${x} > 0, 'inf', '-inf'), ` +
    `abs(${x}) < 9007199254740992. AND (${x} = trunc(${x}) OR abs(${x}) >= 0.0001), ${whole(x)}, ` +
    `abs(${x}) < 0.0001, multiIf(abs(${tiny}) >= 0.0001, concat('t', ${whole(tiny)}), ${x} < 0, 't-', 't'), ` +
    `multiIf(abs(${huge}) < 9007199254740992., concat('h', ${whole(huge)}), ${x} < 0, 'h-', 'h'))`
  );
}

/** Each value's canonical text in ClickHouse SQL (booleans are UInt8 there, so integers). */
const forms: ValueForms = {
  string: (q) => q,
  integer: (q) => `toString(${q})`,
  boolean: (q) => `toString(${q})`,
  float: (q) => floatText(`toFloat64(${q})`),
  date: (q) => `toString(${q})`,
  timestamp: (q) => `toString(toInt64(toUnixTimestamp(${q})) * 1000)`,
};

/** ClickHouse SQL for Lathe's data steps (see the file comment for the server versions it targets). */
export const clickhouseDialect: SqlDialect = {
  engine,
  ident,
  literal,
  expr,
  step,
  chain(base, steps, columns) {
    let sql = `SELECT * FROM ${base}`;
    let cols = columns;
    for (const s of steps) {
      sql = step(s, `(${sql})`, cols);
      cols = columnsAfterStep(s, cols);
    }
    return sql;
  },
  fitQueries,
  valueKind,
  // ifNull per value: a value's text is NULL exactly when the value is (toString keeps Nullable).
  // concat takes two arguments at least on 18.16, hence the empty string after a lone column.
  rowText: (columns) => `concat(${columns.map((c, i) => `${i ? "'\t', " : ""}ifNull(${valueText(clickhouseDialect, c, forms)}, ${literal(nullText)})`).join(", ")}${columns.length === 1 ? ", ''" : ""})`,
  rowHash(columns, seed) {
    return hashOfDigest(digestOf(this.rowText(columns), seed));
  },
  portableSplit(input, columns, spec, partColumn) {
    const part = ident(partColumn);
    if (spec.stratify === undefined && spec.time === undefined) {
      return `SELECT *, ${partCase(this, "__lathe_h", spec.parts)} AS ${part} FROM (SELECT *, ${this.rowHash(columns, spec.seed)} AS __lathe_h FROM ${input})`;
    }
    return rankedSplit(input, columns, spec, part);
  },
};

/** MD5(seed, tab, row text): a FixedString(16). */
function digestOf(text: string, seed: number): string {
  return `MD5(concat(${literal(String(seed))}, '\t', ${text}))`;
}

/** The hash of a digest: reinterpretAsUInt64 reads its first 8 bytes little-endian, as DuckDB's md5_number does. */
function hashOfDigest(digest: string): string {
  return `bitShiftRight(reinterpretAsUInt64(${digest}), 11)`;
}

/**
 * A stratified or time split without window functions (18.16 has none): each class's rows (time:
 * all rows) are gathered into one array of tuples (sort key, then the row's columns), sorted, and
 * unnested with their 1-based position, which gives the rank DuckDB's row_number() gives. The sort
 * key is the hash and the digest's last 8 bytes (time: NULLs last, the time, then those), so rows
 * of equal key are identical (barring two rows whose digests agree in 117 bits) and which of them
 * takes which rank cannot show. The class's rows meet on the
 * initiator: the cost is one array per class in its memory (docs/scale-out.md).
 */
function rankedSplit(input: string, columns: TypedColumn[], spec: PortableSplitSpec, part: string): string {
  const time = spec.time !== undefined ? ident(spec.time) : undefined;
  const key = [...(time ? [`isNull(${time})`, `assumeNotNull(${time})`] : []), "__lathe_h", "__lathe_g"];
  // The digest once: the hash is its first 8 bytes, the tie-break its last 8 (as on DuckDB).
  const hashed = `SELECT *, ${hashOfDigest("__lathe_d")} AS __lathe_h, reinterpretAsUInt64(substring(__lathe_d, 9, 8)) AS __lathe_g FROM (SELECT *, ${digestOf(clickhouseDialect.rowText(columns), spec.seed)} AS __lathe_d FROM ${input})`;
  const groups = `SELECT arraySort(groupArray(tuple(${[...key, ...columns.map((c) => ident(c.name))].join(", ")}))) AS __lathe_a FROM (${hashed})${spec.stratify !== undefined ? ` GROUP BY ${ident(spec.stratify)}` : ""}`;
  const rows = `SELECT arrayJoin(arrayMap((x, i) -> (x, i), __lathe_a, arrayEnumerate(__lathe_a))) AS __lathe_j, length(__lathe_a) AS __lathe_n FROM (${groups})`;
  const field = (i: number) => `tupleElement(tupleElement(__lathe_j, 1), ${i + 1})`;
  const out = [...columns.map((c, i) => `${field(key.length + i)} AS ${ident(c.name)}`), `${field(key.indexOf("__lathe_h"))} AS __lathe_h`];
  return `SELECT ${out.join(", ")}, ${rankCase(clickhouseDialect, (x) => `toFloat64(${x})`, "(tupleElement(__lathe_j, 2) - 1)", "__lathe_n", spec.parts)} AS ${part} FROM (${rows})`;
}
