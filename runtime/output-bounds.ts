/**
 * How much one result may show, the same in a notebook and a terminal: a wide or long dataset must
 * not turn into thousands of outputs or megabytes of HTML (a describe of 3,000 columns once sent
 * 3,001 bundles, 104 MB). What is left out is always said, never silently dropped.
 */

/** The most rows a table shows; `show NAME limit N` fetches no more than this (and one to tell). */
export const maxShownRows = 50;

/** The most column charts `describe` draws (the first columns that have one); its table covers every column. */
export const maxDescribeCharts = 20;

/** "50 of the 1,000 rows": numbers as a reader counts them. */
export function countText(n: number): string {
  return n.toLocaleString("en-US");
}

/**
 * What a surface (notebook, terminal) shows of a table part: at most {@link maxShownRows} rows, and
 * the note saying what is left out, the part's own (`show` asked for more, charts not drawn) and
 * any rows past the bound.
 */
export function boundedTable(part: { rows: Record<string, unknown>[]; note?: string }): { rows: Record<string, unknown>[]; note?: string } {
  const cut = part.rows.length > maxShownRows ? `the first ${maxShownRows} of ${countText(part.rows.length)} rows` : undefined;
  const note = [cut, part.note].filter(Boolean).join("; ");
  return { rows: cut ? part.rows.slice(0, maxShownRows) : part.rows, ...(note ? { note } : {}) };
}

/**
 * The most rows `describe` and `plot` bring back from an engine (`LATHE_ENGINE_SAMPLE_ROWS`,
 * default 100,000): the first rows of the engine's stable order (by the portable row hash), a
 * sample spread over the whole table and the same on every run. Their results say when they
 * profiled or drew a sample rather than every row.
 */
export function engineSampleRows(): number {
  const n = Number(process.env.LATHE_ENGINE_SAMPLE_ROWS);
  return Number.isInteger(n) && n > 0 ? n : 100_000;
}
