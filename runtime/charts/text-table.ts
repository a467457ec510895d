/**
 * Plain-text rendering for the `text/plain` part of a chart bundle, where a
 * terminal or a stripped notebook viewer shows the numbers instead of the chart.
 */

/** Formats a number compactly: integers as is, others to 4 significant digits. */
export function formatNumber(v: number | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) return "—";
  if (Number.isInteger(v)) return String(v);
  const abs = Math.abs(v);
  if (abs !== 0 && (abs >= 1e6 || abs < 1e-3)) return v.toExponential(3);
  return String(Number(v.toPrecision(4)));
}

/** Aligns rows of cells into columns: text left-aligned, numbers right-aligned. */
export function textTable(headers: string[], rows: Array<Array<string | number | null | undefined>>): string {
  const cells = rows.map((row) => row.map((c) => (typeof c === "number" || c == null ? formatNumber(c as number | null) : c)));
  const numeric = headers.map((_, j) => rows.length > 0 && rows.every((r) => typeof r[j] === "number" || r[j] == null));
  const widths = headers.map((h, j) => Math.max(h.length, ...cells.map((r) => (r[j] ?? "").length)));
  const line = (r: string[]) =>
    r.map((c, j) => (numeric[j] ? c.padStart(widths[j]) : c.padEnd(widths[j]))).join("  ").trimEnd();
  return [line(headers), line(widths.map((w) => "-".repeat(w))), ...cells.map(line)].join("\n");
}

/** Joins a title, an optional note and a table, the common shape of every summary. */
export function summary(title: string, body: string, note?: string): string {
  return [title, note, body].filter((s) => s !== undefined && s !== "").join("\n");
}
