/** Quotes an SQL identifier: any name, even `x"; drop table t; --`, stays one identifier. */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Quotes a value as an SQL literal. */
export function literal(value: string | number | boolean | null | bigint): string {
  if (value === null) return "NULL";
  if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return Number.isNaN(value) ? "'NaN'::DOUBLE" : value > 0 ? "'Infinity'::DOUBLE" : "'-Infinity'::DOUBLE";
    // Round-trip exact: JS's shortest repr, as a DOUBLE so integers do not turn into INTEGER arithmetic.
    return Number.isInteger(value) && Math.abs(value) < 2 ** 53 ? `${value}` : `${value}::DOUBLE`;
  }
  return `'${value.replace(/'/g, "''")}'`;
}
