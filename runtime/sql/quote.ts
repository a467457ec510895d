/**
 * A quoted SQL identifier. Branded so that a relation typed `SqlIdent` can only come from `ident`:
 * a bare dataset name (`group`, `order`, a name with a quote) cannot be put where a table goes.
 */
export type SqlIdent = string & { readonly __brand: "SqlIdent" };

/** Quotes an SQL identifier: any name, even `x"; drop table t; --`, stays one identifier. */
export function ident(name: string): SqlIdent {
  return `"${name.replace(/"/g, '""')}"` as SqlIdent;
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
