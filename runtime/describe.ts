import { countsBarChart } from "./charts/top-values-chart.js";
import type { DrawChart } from "./charts/render-bundle.js";
import type { ChartBundle, VegaLiteSpec } from "./charts/types.js";
import type { Database } from "./data/database.js";
import { Pacer } from "./models/abort.js";
import { ident } from "./sql/quote.js";

/** One column's profile, as `describe` reports it (one row of the describe table). */
export interface ColumnProfile {
  column: string;
  type: string;
  /** Non-missing values. */
  count: number;
  nulls: number;
  distinct: number;
  min: number | string | null;
  max: number | string | null;
  mean: number | null;
  /** Sample standard deviation (n − 1), as pandas' `describe` reports it. */
  std: number | null;
  /** The most frequent values with their counts, most frequent first: `Adelie (152), Gentoo (124)`. */
  top: string;
}

/**
 * A profile per column plus the Vega-Lite chart of the first `maxCharts` columns that have one: a
 * histogram for numbers, top values otherwise. `unchartedColumns` counts the columns past that bound.
 */
export interface DatasetProfile {
  columns: ColumnProfile[];
  specs: { column: string; spec: VegaLiteSpec }[];
  unchartedColumns: number;
}

/** Options of {@link profileDataset}. */
export interface ProfileOptions {
  /** Stops the profile between columns (and the DuckDB query under way, through the session). */
  signal?: AbortSignal;
  /** The most charts to draw (default: all). */
  maxCharts?: number;
  /** The most values (rows × columns) one top-values query groups (default: 4M; 1 groups each column alone). */
  topCells?: number;
}

const numericTypes = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|REAL|DECIMAL.*)$/;
const categoricalTypes = /^(VARCHAR|BOOLEAN|ENUM.*)$/;
const topShown = 3;
/** Columns profiled by one statistics query. */
const statsBatch = 64;
const topCharted = 20;
/**
 * Values (rows × columns) one top-values query groups: a short table's columns are grouped many at a
 * time (a 1,000-row, 1,500-column CSV took 1,500 queries of ≈ 10 ms each), a tall one's one at a time
 * (the groups of many high-cardinality columns at once would be held together).
 */
const topCells = 1 << 22;
const topColumnsMax = 128;

/**
 * Profiles a table in one statistics scan per 64 columns plus grouped queries for the top values
 * (and with them the distinct counts: the number of groups, cheaper than `count(DISTINCT)`, which
 * costs DuckDB a hash table of its own per column); numbers are read into a Float32Array (not
 * per-row objects) for the histogram.
 */
export async function profileDataset(db: Database, table: string, options: ProfileOptions = {}): Promise<DatasetProfile> {
  const maxCharts = options.maxCharts ?? Infinity;
  const pace = new Pacer(options.signal);
  let unchartedColumns = 0;
  const cols = await db.describe(`SELECT * FROM ${ident(table)}`);
  const rel = ident(table);
  // Each column's aggregates.
  const exprs = cols.map((c, i) => {
    const q = ident(c.name);
    const numeric = numericTypes.test(c.type);
    const boolean = c.type === "BOOLEAN";
    // Booleans average as 0/1 so a share of true shows as the mean.
    const asNumber = boolean ? `CAST(${q} AS INTEGER)` : q;
    return [
      `count(${q}) AS n${i}`,
      numeric ? `CAST(min(${q}) AS DOUBLE) AS lo${i}` : `CAST(min(${q}) AS VARCHAR) AS lo${i}`,
      numeric ? `CAST(max(${q}) AS DOUBLE) AS hi${i}` : `CAST(max(${q}) AS VARCHAR) AS hi${i}`,
      numeric || boolean ? `CAST(avg(${asNumber}) AS DOUBLE) AS mean${i}` : `NULL AS mean${i}`,
      numeric || boolean ? `CAST(stddev_samp(${asNumber}) AS DOUBLE) AS std${i}` : `NULL AS std${i}`,
    ];
  });
  // In batches of columns: DuckDB plans thousands of aggregates in one query slowly (seconds, and
  // deaf to interrupts while planning); batches stay quick and can be stopped between.
  const stats: Record<string, unknown> = {};
  for (let at = 0; at === 0 || at < exprs.length; at += statsBatch) {
    if (at > 0) await pace.tick();
    const batch = exprs.slice(at, at + statsBatch).flat();
    Object.assign(stats, (await db.rows(`SELECT count(*) AS rows${batch.length ? ", " + batch.join(", ") : ""} FROM ${rel}`))[0]);
  }
  const rows = Number(stats.rows);
  const tops = await topValues(db, rel, cols, rows, pace, options.topCells ?? topCells);
  const columns: ColumnProfile[] = [];
  const specs: DatasetProfile["specs"] = [];
  const { histogramChart } = await import("./charts/histogram-chart.js");
  for (const [i, c] of cols.entries()) {
    const q = ident(c.name);
    const { top, distinct } = tops.get(c.name) ?? { top: [], distinct: 0 };
    const count = Number(stats[`n${i}`]);
    const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
    columns.push({
      column: c.name,
      type: c.type,
      count,
      nulls: rows - count,
      distinct,
      min: numericTypes.test(c.type) ? num(stats[`lo${i}`]) : ((stats[`lo${i}`] as string | null) ?? null),
      max: numericTypes.test(c.type) ? num(stats[`hi${i}`]) : ((stats[`hi${i}`] as string | null) ?? null),
      mean: num(stats[`mean${i}`]),
      std: num(stats[`std${i}`]),
      top: top.slice(0, topShown).map((t) => `${t.value} (${t.n})`).join(", "),
    });
    const charted = numericTypes.test(c.type) || categoricalTypes.test(c.type);
    if (charted && specs.length >= maxCharts) unchartedColumns++;
    else if (numericTypes.test(c.type)) {
      // A query yields only while DuckDB works; the building in between must yield too.
      await pace.tick();
      const { columns: values } = await db.float32Columns(`SELECT CAST(${q} AS FLOAT) FROM ${rel}`);
      specs.push({ column: c.name, spec: histogramChart({ column: c.name, values: values[0] }) });
    } else if (categoricalTypes.test(c.type)) {
      specs.push({ column: c.name, spec: countsChart(c.name, top.map((t) => ({ value: String(t.value), count: Number(t.n) })), count - top.reduce((a, t) => a + Number(t.n), 0), rows - count) });
    }
  }
  return { columns, specs, unchartedColumns };
}

type TopValues = { top: { value: unknown; n: unknown }[]; distinct: number };

/**
 * Each column's most frequent values (most frequent first, ties by value) and its count of distinct
 * values, from one grouping per column or, for a short table, per batch of columns of one SQL type
 * (unpivoted, so each value keeps its type's order and text).
 */
async function topValues(db: Database, rel: string, cols: { name: string; type: string }[], rows: number, pace: Pacer, cells: number): Promise<Map<string, TopValues>> {
  const out = new Map<string, TopValues>();
  const width = Math.max(1, Math.min(topColumnsMax, Math.floor(cells / Math.max(1, rows))));
  const byType = new Map<string, string[]>();
  for (const c of cols) {
    const names = byType.get(c.type);
    if (names) names.push(c.name);
    else byType.set(c.type, [c.name]);
  }
  for (const names of byType.values()) {
    for (let at = 0; at < names.length; at += width) {
      await pace.tick();
      const batch = names.slice(at, at + width);
      if (batch.length === 1) {
        const q = ident(batch[0]);
        // The window counts the groups before the limit keeps the first few.
        const top = (await db.rows(`SELECT value, n, count(*) OVER () AS d FROM (SELECT ${q} AS value, count(*) AS n FROM ${rel} WHERE ${q} IS NOT NULL GROUP BY 1) ORDER BY n DESC, value LIMIT ${topCharted}`)) as { value: unknown; n: unknown; d?: unknown }[];
        out.set(batch[0], { top, distinct: Number(top[0]?.d ?? 0) });
        continue;
      }
      const list = batch.map(ident).join(", ");
      // UNPIVOT leaves out missing values, as the single-column query does.
      const grouped = await db.rows(
        `SELECT c, value, n, d FROM (SELECT c, value, n, row_number() OVER (PARTITION BY c ORDER BY n DESC, value) AS r, count(*) OVER (PARTITION BY c) AS d ` +
          `FROM (SELECT c, value, count(*) AS n FROM (UNPIVOT (SELECT ${list} FROM ${rel}) ON ${list} INTO NAME c VALUE value) GROUP BY c, value)) WHERE r <= ${topCharted} ORDER BY c, r`,
      );
      for (const g of grouped) {
        const name = String(g.c);
        const t = out.get(name) ?? { top: [], distinct: Number(g.d) };
        t.top.push({ value: g.value, n: g.n });
        out.set(name, t);
      }
    }
  }
  return out;
}

/** Bars of the most frequent values from counts DuckDB already grouped, noting the rest and the missing. */
export function countsChart(column: string, counts: { value: string; count: number }[], rest: number, missing: number): VegaLiteSpec {
  const note = [rest > 0 ? `${rest} values outside the top ${counts.length}` : "", missing > 0 ? `${missing} missing` : ""].filter(Boolean).join("; ");
  return countsBarChart({ column, counts, note: note || undefined });
}

/** Renders the profile's charts into display bundles (Vega-Lite, SVG, PNG, text), with `draw` when given (a run's chart thread). */
export async function renderProfileCharts(specs: DatasetProfile["specs"], signal?: AbortSignal, draw?: DrawChart): Promise<{ column: string; bundle: ChartBundle }[]> {
  // Vega and resvg are heavy to load; only a describe pays for them.
  const { renderBundle } = await import("./charts/render-bundle.js");
  const out: { column: string; bundle: ChartBundle }[] = [];
  const pace = new Pacer(signal);
  for (const s of specs) {
    // Rendering (resvg's PNG) is synchronous work that awaits nothing real: give the event loop its turn.
    await pace.tick();
    out.push({ column: s.column, bundle: await (draw ?? renderBundle)(s.spec) });
  }
  return out;
}

/** Per-column statistics of a table (the rows of the describe table). */
export async function describeDataset(db: Database, table: string): Promise<ColumnProfile[]> {
  return (await profileDataset(db, table)).columns;
}
