/** Column types as the checker sees them; the runtime maps DuckDB types onto these. */
export type ColumnType = "number" | "string" | "boolean" | "date" | "timestamp" | "onehot" | "other";

export interface Column {
  name: string;
  type: ColumnType;
  /** The database type, when known (`DOUBLE`, `VARCHAR`). */
  sqlType?: string;
  /** For derived columns: the input columns the value depends on (leakage checks). */
  dependsOn?: string[];
  /** An engine column whose type has no portable text (its engine type, `Array(String)`): the portable split cannot hash it. */
  unhashable?: string;
}

export type Schema = Column[];

/** Maps a DuckDB type name onto the checker's column type. */
export function columnTypeOf(sqlType: string): ColumnType {
  const t = sqlType.toUpperCase();
  if (/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|REAL|DECIMAL|NUMERIC|INT|INT\d)/.test(t)) return "number";
  if (/^(VARCHAR|TEXT|STRING|CHAR|BPCHAR|UUID|ENUM)/.test(t)) return "string";
  if (t === "BOOLEAN" || t === "BOOL") return "boolean";
  if (t === "DATE") return "date";
  if (t.startsWith("TIMESTAMP")) return "timestamp";
  return "other";
}

/** Whether a DuckDB type holds whole numbers only (an integer target may be class labels). */
export function isIntegerType(sqlType: string): boolean {
  return /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|INT|INT[1248]|LONG|SHORT)$/i.test(sqlType.trim());
}
