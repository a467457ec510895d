/** Renders rows as an aligned text table (numbers right-aligned, 4 decimals for fractions). */
export function formatTable(columns: string[], rows: Record<string, unknown>[]): string {
  const cell = (v: unknown): string => {
    if (v === null || v === undefined) return "";
    if (typeof v === "number") return Number.isInteger(v) ? String(v) : v.toFixed(4);
    if (typeof v === "object") return JSON.stringify(v);
    return String(v);
  };
  const body = rows.map((r) => columns.map((c) => cell(r[c])));
  const widths = columns.map((c, j) => Math.max(c.length, ...body.map((r) => r[j].length)));
  const numeric = columns.map((c) => rows.some((r) => typeof r[c] === "number"));
  const line = (cells: string[]) => cells.map((v, j) => (numeric[j] ? v.padStart(widths[j]) : v.padEnd(widths[j]))).join("  ").trimEnd();
  return [line(columns), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line)].join("\n");
}
