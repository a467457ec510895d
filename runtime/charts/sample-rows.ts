/**
 * Scatter charts inline every point, so large inputs are thinned. An even
 * stride keeps the selection deterministic without a seed and spreads it over
 * the whole input (which is often sorted by time).
 */

/** Default cap on points drawn in scatter-type charts. */
export const MAX_POINTS = 5000;

/** Row indices to draw: all rows when n <= max, otherwise `max` evenly spaced rows. */
export function sampleRows(n: number, max: number = MAX_POINTS): number[] {
  if (!(max >= 1)) throw new RangeError(`maxPoints must be at least 1, got ${max}`);
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  return Array.from({ length: max }, (_, j) => Math.floor((j * n) / max));
}

/** A subtitle noting the thinning, or undefined when every row is drawn. */
export function sampleNote(n: number, drawn: number): string | undefined {
  return drawn < n ? `showing ${drawn} of ${n} rows (evenly spaced)` : undefined;
}
