/** Plain-JS statistics the data tests compare DuckDB's results against. */

export const isMissing = (v: unknown): boolean => v === null || v === undefined || (typeof v === "number" && Number.isNaN(v));

export function present(values: unknown[]): number[] {
  return values.filter((v) => !isMissing(v)).map(Number);
}

export function mean(values: unknown[]): number {
  const xs = present(values);
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Linear-interpolated quantile (DuckDB's quantile_cont, numpy's default). */
export function quantile(values: unknown[], p: number): number {
  const xs = present(values).sort((a, b) => a - b);
  const h = (xs.length - 1) * p;
  const lo = Math.floor(h);
  return lo + 1 < xs.length ? xs[lo] + (h - lo) * (xs[lo + 1] - xs[lo]) : xs[lo];
}

export const median = (values: unknown[]) => quantile(values, 0.5);

/** Population standard deviation. */
export function stdPop(values: unknown[]): number {
  const xs = present(values);
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / xs.length);
}

/** The most frequent value, ties broken by the smallest. */
export function mode<T extends string | number>(values: (T | null | undefined)[]): T {
  const counts = new Map<T, number>();
  for (const v of values) if (!isMissing(v)) counts.set(v as T, (counts.get(v as T) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))[0][0];
}

export const close = (a: number, b: number, tol = 1e-9) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b));
