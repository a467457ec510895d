import type { Expr } from "../../language/ast.js";
import { compare, isIntegerType, own, toDate, toDouble, toText, toTimestamp, ValueError, type Value } from "./sql-values.js";

/**
 * Evaluates a Lathe expression on one row exactly as its SQL (`runtime/sql/expr.ts`) does in DuckDB:
 * NULL propagates, `and`/`or` use three-valued logic, `/` divides as doubles and gives NULL for a
 * zero divisor, NaN counts as missing. `types` are the DuckDB types of the row's columns.
 */
export function evaluate(e: Expr, row: Record<string, Value>, types: Record<string, string> = {}): Value {
  switch (e.kind) {
    case "literal":
      return e.value;
    case "column":
      return Object.hasOwn(row, e.name.text) ? row[e.name.text] : null;
    case "unary": {
      const v = evaluate(e.operand, row, types);
      if (v === null) return null;
      return e.op === "not" ? !truth(v) : -toDouble(v)!;
    }
    case "binary":
      return binary(e.op, e.left, e.right, row, types);
    case "is-missing": {
      const v = evaluate(e.operand, row, types);
      const missing = v === null || Number.isNaN(tryDouble(v));
      return e.negated ? !missing : missing;
    }
    case "between": {
      const v = evaluate(e.operand, row, types);
      const lo = compare(v, evaluate(e.low, row, types));
      const hi = compare(v, evaluate(e.high, row, types));
      const r = and(lo === null ? null : lo >= 0, hi === null ? null : hi <= 0);
      return e.negated && r !== null ? !r : r;
    }
    case "in": {
      const v = evaluate(e.operand, row, types);
      if (v === null) return null;
      let sawNull = false;
      for (const item of e.items) {
        const c = compare(v, evaluate(item, row, types));
        if (c === 0) return !e.negated;
        if (c === null) sawNull = true;
      }
      return sawNull ? null : e.negated;
    }
    case "call":
      return call(e.fn.text.toLowerCase(), e.args.map((a) => evaluate(a, row, types)), e.args.map((a) => typeOf(a, types)));
    default:
      throw new ValueError(`unknown expression ${(e as { kind: string }).kind}`);
  }
}

function tryDouble(v: Value): number {
  try {
    return toDouble(v) ?? NaN;
  } catch {
    return 0;
  }
}

function truth(v: Value): boolean {
  if (typeof v === "boolean") return v;
  if (typeof v === "number") return v !== 0;
  throw new ValueError(`${JSON.stringify(v)} is not true or false`);
}

function and(a: boolean | null, b: boolean | null): boolean | null {
  if (a === false || b === false) return false;
  return a === null || b === null ? null : true;
}

function or(a: boolean | null, b: boolean | null): boolean | null {
  if (a === true || b === true) return true;
  return a === null || b === null ? null : false;
}

function binary(op: Extract<Expr, { kind: "binary" }>["op"], l: Expr, r: Expr, row: Record<string, Value>, types: Record<string, string>): Value {
  const a = evaluate(l, row, types);
  const b = evaluate(r, row, types);
  switch (op) {
    case "and":
      return and(a === null ? null : truth(a), b === null ? null : truth(b));
    case "or":
      return or(a === null ? null : truth(a), b === null ? null : truth(b));
    case "=":
    case "!=":
    case "<":
    case "<=":
    case ">":
    case ">=": {
      const c = compare(a, b);
      if (c === null) return null;
      return op === "=" ? c === 0 : op === "!=" ? c !== 0 : op === "<" ? c < 0 : op === "<=" ? c <= 0 : op === ">" ? c > 0 : c >= 0;
    }
  }
  if (a === null || b === null) return null;
  const x = toDouble(a)!;
  const y = toDouble(b)!;
  switch (op) {
    case "+":
      return x + y;
    case "-":
      return x - y;
    case "*":
      return x * y;
    case "/":
      // Always a division of doubles (the SQL casts): IEEE, so x / 0 is ±Infinity and 0 / 0 NaN.
      return x / y;
    case "%":
      // Between integers a zero divisor gives NULL; between doubles NaN.
      return y === 0 && isIntegerExpr(l, types) && isIntegerExpr(r, types) ? null : x % y;
  }
}

/** Whether DuckDB types an expression as an integer: integer literals and columns, and +, -, *, % of those. */
function isIntegerExpr(e: Expr, types: Record<string, string>): boolean {
  switch (e.kind) {
    case "literal":
      return typeof e.value === "number" && Number.isInteger(e.value) && !e.percent;
    case "column":
      return isIntegerType(own(types, e.name.text));
    case "unary":
      return e.op === "-" && isIntegerExpr(e.operand, types);
    case "binary":
      return (e.op === "+" || e.op === "-" || e.op === "*" || e.op === "%") && isIntegerExpr(e.left, types) && isIntegerExpr(e.right, types);
    default:
      return false;
  }
}

/** The DuckDB type of an expression where it matters for a function (a date argument). */
function typeOf(e: Expr, types: Record<string, string>): string | undefined {
  return e.kind === "column" ? own(types, e.name.text) : undefined;
}

const numeric = (f: (x: number) => number) => (args: Value[]) => (args[0] === null ? null : f(toDouble(args[0])!));

function roundHalfAway(x: number, digits = 0): number {
  const m = 10 ** digits;
  const v = Math.sign(x) * Math.round(Math.abs(x) * m);
  return v / m;
}

function logOf(f: (x: number) => number) {
  return numeric((x) => {
    if (x === 0) throw new ValueError("cannot take logarithm of zero");
    if (x < 0) throw new ValueError("cannot take logarithm of a negative number");
    return f(x);
  });
}

function datePart(part: "year" | "month" | "day" | "dayofweek" | "hour") {
  return (args: Value[], argTypes: (string | undefined)[]) => {
    const v = args[0];
    if (v === null) return null;
    const ts = argTypes[0] === "DATE" ? `${toDate(v)} 00:00:00` : toTimestamp(v)!;
    const d = new Date(`${ts.slice(0, 19).replace(" ", "T")}Z`);
    switch (part) {
      case "year":
        return d.getUTCFullYear();
      case "month":
        return d.getUTCMonth() + 1;
      case "day":
        return d.getUTCDate();
      case "dayofweek":
        return d.getUTCDay();
      case "hour":
        return d.getUTCHours();
    }
  };
}

/** The scalar functions expressions may call (the checker's list), as DuckDB computes them. */
const functions: Record<string, (args: Value[], argTypes: (string | undefined)[]) => Value> = {
  abs: numeric(Math.abs),
  ln: logOf(Math.log),
  log10: logOf(Math.log10),
  log2: logOf(Math.log2),
  exp: numeric(Math.exp),
  sqrt: numeric((x) => {
    if (x < 0) throw new ValueError("cannot take square root of a negative number");
    return Math.sqrt(x);
  }),
  round: (args) => (args[0] === null || (args.length > 1 && args[1] === null) ? null : roundHalfAway(toDouble(args[0])!, args.length > 1 ? toDouble(args[1])! : 0)),
  floor: numeric(Math.floor),
  ceil: numeric(Math.ceil),
  pow: (args) => (args[0] === null || args[1] === null ? null : Math.pow(toDouble(args[0])!, toDouble(args[1])!)),
  // least/greatest skip NULLs; NaN sorts above every number, as in DuckDB.
  least: (args) => extreme(args, -1),
  greatest: (args) => extreme(args, 1),
  length: (args) => (args[0] === null ? null : [...toText(args[0])!].length),
  lower: (args) => (args[0] === null ? null : toText(args[0])!.toLowerCase()),
  upper: (args) => (args[0] === null ? null : toText(args[0])!.toUpperCase()),
  trim: (args) => (args[0] === null ? null : trimSpaces(toText(args[0])!)),
  concat: (args, types) => args.map((a, i) => (a === null ? "" : toText(a, types[i]))).join(""),
  substr: (args) => (args.some((a) => a === null) ? null : substr(toText(args[0])!, toDouble(args[1])!, args.length > 2 ? toDouble(args[2])! : undefined)),
  coalesce: (args) => args.find((a) => a !== null) ?? null,
  year: datePart("year"),
  month: datePart("month"),
  day: datePart("day"),
  dayofweek: datePart("dayofweek"),
  hour: datePart("hour"),
};

function call(name: string, args: Value[], types: (string | undefined)[]): Value {
  const f = Object.hasOwn(functions, name) ? functions[name] : undefined;
  if (!f) throw new ValueError(`no function \`${name}\``);
  return f(args, types);
}

function extreme(args: Value[], sign: 1 | -1): Value {
  let best: Value = null;
  for (const a of args) {
    if (a === null) continue;
    const c = best === null ? sign : compare(a, best)!;
    if (c * sign > 0) best = a;
  }
  return best;
}

/** DuckDB's `trim` removes spaces only, not tabs or newlines. */
export function trimSpaces(s: string): string {
  return s.replace(/^ +| +$/g, "");
}

/** `substr(s, start, length)` with SQL's 1-based start; a start of 0 or below eats into the length, a negative start counts from the end. */
function substr(s: string, start: number, length?: number): string {
  const chars = [...s];
  const n = chars.length;
  let from = start > 0 ? start - 1 : start < 0 ? n + start : 0;
  let end = length === undefined ? n : start === 0 ? length - 1 : from + length;
  if (start === 0 && length !== undefined) end = Math.max(0, length - 1);
  from = Math.max(0, from);
  return chars.slice(from, Math.max(from, Math.min(n, end))).join("");
}
