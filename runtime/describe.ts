import type { Database } from "./data/database.js";
import { ident } from "./sql/quote.js";

/** Per-column statistics of a table: type, count, nulls, distinct, min/max/mean/std, quartiles, top values. */
export async function describeDataset(db: Database, table: string): Promise<Record<string, unknown>[]> {
  const summary = await db.rows(`SUMMARIZE ${ident(table)}`);
  const out: Record<string, unknown>[] = [];
  for (const s of summary) {
    const name = String(s.column_name);
    const top = await db.rows(`SELECT CAST(${ident(name)} AS VARCHAR) AS value, count(*) AS n FROM ${ident(table)} WHERE ${ident(name)} IS NOT NULL GROUP BY 1 ORDER BY n DESC, value LIMIT 3`);
    const count = Number(s.count);
    const nullPct = Number(s.null_percentage ?? 0);
    out.push({
      column: name,
      type: s.column_type,
      count,
      nulls: Math.round((count * nullPct) / 100),
      distinct: Number(s.approx_unique),
      min: s.min,
      max: s.max,
      mean: s.avg === null ? null : Number(s.avg),
      std: s.std === null ? null : Number(s.std),
      q25: s.q25,
      q50: s.q50,
      q75: s.q75,
      top: top.map((t) => `${t.value} (${t.n})`).join(", "),
    });
  }
  return out;
}
