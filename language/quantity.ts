import type { Quantity } from "./ast.js";

/** Bytes per memory unit: binary, as memory is counted (`free`, `top`): 1 MB = 1024 KB = 1,048,576 bytes. */
export const byteUnits = { KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 } as const;

/**
 * A quantity's value in its base unit: milliseconds for times, a fraction for percentages, bytes
 * for memory. `20 ms` → 20, `2 s` → 2000, `1%` → 0.01, `0.25` → 0.25, `1 KB` → 1024.
 */
export function normalizeQuantity(q: Pick<Quantity, "value" | "unit">): number {
  if (q.unit === "%") return q.value / 100;
  if (q.unit === "s") return q.value * 1000;
  if (q.unit === "KB" || q.unit === "MB" || q.unit === "GB") return q.value * byteUnits[q.unit];
  return q.value;
}

/** How a quantity is written back, for messages and the formatter. */
export function quantityText(q: Pick<Quantity, "value" | "unit">): string {
  if (!q.unit) return String(q.value);
  return q.unit === "%" ? `${q.value}%` : `${q.value} ${q.unit}`;
}
