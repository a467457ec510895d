/**
 * Lookups by a name the user wrote. A plain object answers `constructor`, `__proto__` or
 * `toString` from `Object.prototype`, so a program could name an algorithm `constructor` and pass
 * the checker; every table read with a user's name goes through `own`, and every table the checker
 * fills is made by `dict` (no prototype, so any name, `__proto__` included, is an ordinary key).
 */

/** The table's own entry for `key`, never an inherited one. */
export function own<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;
}

/** Whether `key` is the table's own entry. */
export function has(table: Readonly<Record<string, unknown>>, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(table, key);
}

/** An empty table with no prototype, optionally filled from `from`'s own entries. */
export function dict<T>(from?: Readonly<Record<string, T>>): Record<string, T> {
  const out = Object.create(null) as Record<string, T>;
  if (from) for (const k of Object.keys(from)) out[k] = from[k];
  return out;
}
