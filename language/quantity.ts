import type { Quantity } from "./ast.js";

/**
 * A quantity's value in its base unit: milliseconds for times, a fraction for percentages.
 * `20 ms` → 20, `2 s` → 2000, `1%` → 0.01, `0.25` → 0.25.
 */
export function normalizeQuantity(q: Pick<Quantity, "value" | "unit">): number {
  if (q.unit === "%") return q.value / 100;
  if (q.unit === "s") return q.value * 1000;
  return q.value;
}

/** How a quantity is written back, for messages and the formatter. */
export function quantityText(q: Pick<Quantity, "value" | "unit">): string {
  if (!q.unit) return String(q.value);
  return q.unit === "%" ? `${q.value}%` : `${q.value} ${q.unit}`;
}
