/**
 * A quoted SQL identifier. Branded so that a relation typed `SqlIdent` can only come from `ident`:
 * a bare dataset name (`group`, `order`, a name with a quote) cannot be put where a table goes.
 */
export type SqlIdent = string & { readonly __brand: "SqlIdent" };

/** Quotes an SQL identifier: any name, even `x"; drop table t; --`, stays one identifier. */
export function ident(name: string): SqlIdent {
  return `"${name.replace(/"/g, '""')}"` as SqlIdent;
}

/** A column name as a Lathe program writes it: bare when it can be (`x`), else quoted with escapes (`"Body Mass (g)"`). */
export function programName(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : JSON.stringify(name);
}

/** Quotes a value as an SQL literal. */
export function literal(value: string | number | boolean | null | bigint): string {
  if (value === null) return "NULL";
  if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return Number.isNaN(value) ? "'NaN'::DOUBLE" : value > 0 ? "'Infinity'::DOUBLE" : "'-Infinity'::DOUBLE";
    if (Object.is(value, -0)) return "-0.0e0";
    if (Number.isInteger(value) && Math.abs(value) < 2 ** 53) return `${value}`;
    // DuckDB reads `0.1` as a DECIMAL and only then casts it, which can move the value by an ulp;
    // a literal with an exponent is parsed as a DOUBLE directly, and JS gives the shortest digits
    // that round-trip, so the value comes back bit for bit.
    return value.toExponential();
  }
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * Text made safe to print after `-- ` in generated SQL: line breaks of any kind (`\n`, `\r`,
 * U+2028, ...) and other control characters become visible escapes, so a name cannot end the
 * comment and put text on a line of its own; `*\/` and `/*` are broken up, so the text cannot open
 * or close a block comment either where the SQL is pasted.
 */
export function commentText(text: string): string {
  return text
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => (c === "\n" ? "\\n" : c === "\r" ? "\\r" : c === "\t" ? " " : `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`))
    .replace(/\*\//g, "*\\/")
    .replace(/\/\*/g, "/\\*");
}
