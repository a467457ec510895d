import { literal } from "../sql/quote.js";
import type { Database } from "./database.js";

/** True when a path holds glob characters (`*`, `?`, `[...]`). */
export function isGlob(p: string): boolean {
  return /[*?[]/.test(p);
}

/**
 * The files an absolute glob matches, sorted, as DuckDB's own `glob()` expands it: the source then
 * reads exactly this list, so the files fingerprinted are the files read (an expansion of our
 * own could disagree with DuckDB's on `**`, character classes or hidden files).
 */
export async function expandGlob(db: Database, pattern: string): Promise<string[]> {
  const rows = await db.rows(`SELECT file FROM glob(${literal(pattern)})`);
  return [...new Set(rows.map((r) => String(r.file)))].sort();
}
