import { DataError } from "../errors.js";

/**
 * Means and spreads that do not depend on the order rows are added in. A floating-point sum does:
 * DuckDB on several threads and ClickHouse over shards add partial sums in whatever order they
 * finish, so `avg` over the same rows differs in its last bits from run to run (DuckDB: 14 results
 * in 15 runs of 5M rows), and a model trained after `scale … standard` with them. Here each value
 * becomes an integer on a fixed scale chosen from the column's largest magnitude (an exact
 * power-of-two scaling, then floor: what is below the 53rd bit of that magnitude is dropped, as a
 * double sum drops it), split into two parts whose integer sums cannot overflow, and the integers
 * are added by the engine in any order to the same total. The same rows give the same constants
 * bit for bit on every run, on any number of threads or shards, and on DuckDB and ClickHouse alike.
 *
 *   pass 1: count, non-finite counts, min, max          (order-free already)
 *   pass 2: Σ hi, Σ lo of floor(x·2^k)                   → mean
 *   pass 3: Σ hi, Σ lo of floor((x - mean)²·2^k')        → population variance (only when asked)
 */
export interface Moments {
  /** Non-NULL values (NaN and infinities included). */
  count: number;
  /** NULL when there is no value; NaN or ±Infinity when the values hold them, as an IEEE sum would give. */
  mean: number | null;
  /** The population standard deviation; NULL with no value, NaN when a value is not finite. */
  std: number | null;
}

/** What the sums need of an engine's dialect (a `SqlDialect` has it; not imported: the dialects import the steps that import this). */
export interface MomentsDialect {
  engine: "duckdb" | "clickhouse";
  ident(name: string): string;
}

/** Runs one query and gives its rows (DuckDB's `db.rows`, ClickHouse's `conn.rows`). */
export type RunQuery = (sql: string) => Promise<Record<string, unknown>[]>;

/** The few numeric spellings that differ between the engines. */
interface NumericSql {
  float(e: string): string;
  finite(e: string): string;
  nan(e: string): string;
  int64(e: string): string;
  text(e: string): string;
}

const numeric: Record<MomentsDialect["engine"], NumericSql> = {
  duckdb: {
    float: (e) => `CAST(${e} AS DOUBLE)`,
    finite: (e) => `isfinite(${e})`,
    nan: (e) => `isnan(${e})`,
    int64: (e) => `CAST(${e} AS BIGINT)`,
    text: (e) => `CAST(${e} AS VARCHAR)`,
  },
  clickhouse: {
    float: (e) => `toFloat64(${e})`,
    finite: (e) => `isFinite(${e})`,
    nan: (e) => `isNaN(${e})`,
    int64: (e) => `toInt64(${e})`,
    text: (e) => `toString(${e})`,
  },
};

/** Bits of each scaled value: |floor(x·2^k)| < 2^53, so the scaled value and its parts are exact doubles. */
const valueBits = 53;
/** Where a scaled value is split: hi = floor(y / 2^26) in (-2^27, 2^27), lo = y - hi·2^26 in [0, 2^26). */
const splitBits = 26;
/** Rows one sum may take: 2^36 parts of magnitude < 2^27 stay below 2^63 (ClickHouse's Int64 sum wraps). */
const maxRows = 2 ** 36;

/** 2^e exactly, for any integer e a double's exponent can take. */
function pow2(e: number): number {
  // 2 ** e is exact in range; beyond ±1023 go in two steps so neither overflows nor loses bits early.
  if (e > 1023) return 2 ** 1023 * 2 ** (e - 1023);
  if (e < -1022) return 2 ** -1022 * 2 ** (e + 1022);
  return 2 ** e;
}

/** The smallest e with 2^e > m (m > 0 and finite). */
function exponentAbove(m: number): number {
  let e = Math.floor(Math.log2(m)) + 1;
  // log2 can be off by one near powers of two: settle it with exact powers.
  while (pow2(e) <= m) e++;
  while (e > -1074 && pow2(e - 1) > m) e--;
  return e;
}

/** `e`·2^k in SQL with exact steps: integer literals 2^j (j ≤ 62), which both engines read exactly, multiplied or divided. */
function scaled(e: string, k: number): string {
  let out = e;
  for (let left = k; left !== 0; ) {
    const j = Math.sign(left) * Math.min(62, Math.abs(left));
    out = `(${out} ${j > 0 ? "*" : "/"} ${2n ** BigInt(Math.abs(j))})`;
    left -= j;
  }
  return out;
}

/**
 * A double as SQL both engines read as exactly that double: an integer below 2^53 times exact
 * powers of two (ClickHouse 18.16 rejects a subnormal literal such as 5e-324).
 */
function exactFloat(sql: NumericSql, v: number): string {
  if (Number.isInteger(v) && Math.abs(v) < 2 ** 53) return sql.float(String(v));
  const j = exponentAbove(Math.abs(v)) - valueBits;
  return scaled(sql.float(String(ldexp(v, -j))), j);
}

/** The two integer sums of floor(e·2^k) (`e` finite on every row: 0 where a value is left out), as SQL select items named `${name}h`/`${name}l`. */
function sumItems(sql: NumericSql, e: string, k: number, name: string): string[] {
  const y = `floor(${scaled(e, k)})`;
  const hi = `floor(${y} / ${2 ** splitBits})`;
  const lo = `(${y} - ${hi} * ${2 ** splitBits})`;
  return [`${sql.text(`sum(${sql.int64(hi)})`)} AS ${name}h`, `${sql.text(`sum(${sql.int64(lo)})`)} AS ${name}l`];
}

/** The integer Σ hi·2^26 + Σ lo from a row's decimal texts. */
function total(row: Record<string, unknown>, name: string): bigint {
  const [hi, lo] = [row[`${name}h`], row[`${name}l`]].map((v) => (v === null || v === undefined ? 0n : BigInt(String(v))));
  return hi * 2n ** BigInt(splitBits) + lo;
}

/** v·2^e, in steps that neither overflow nor underflow before the end. */
function ldexp(v: number, e: number): number {
  for (; e > 1000; e -= 1000) v *= pow2(1000);
  for (; e < -1000; e += 1000) v *= pow2(-1000);
  return v * pow2(e);
}

/**
 * t / (n·2^k) correctly rounded: a mean of equal values is that value exactly (a constant column's
 * deviations are then exactly 0, its spread 0, as Welford's update gives).
 */
function divide(t: bigint, n: number, k: number): number {
  if (t === 0n) return 0;
  const a = t < 0n ? -t : t;
  const d = BigInt(n);
  // A quotient of at least 66 bits and a sticky bit for the remainder: Number() of it rounds to nearest, ties to even, as IEEE division does.
  const s = Math.max(0, 66 - (a.toString(2).length - d.toString(2).length));
  const num = a << BigInt(s);
  const q = (num / d) * 2n + (num % d ? 1n : 0n);
  const v = ldexp(Number(q), -(s + 1 + k));
  return t < 0n ? -v : v;
}

/**
 * The count, mean and (with `spread`) population standard deviation of each column of `relation`,
 * the same bits whatever order the engine adds rows in (see `Moments`).
 */
export async function exactMoments(run: RunQuery, dialect: MomentsDialect, relation: string, columns: string[], spread: boolean): Promise<Moments[]> {
  const sql = numeric[dialect.engine];
  const x = columns.map((c) => sql.float(dialect.ident(c)));
  const count = (cond: string) => sql.text(`sum(CASE WHEN ${cond} THEN 1 ELSE 0 END)`);
  const [first] = await run(
    `SELECT ${x
      .map((v, i) =>
        [
          `${sql.text(`count(${v})`)} AS n${i}`,
          `${count(sql.nan(v))} AS nan${i}`,
          `${count(`NOT ${sql.finite(v)} AND NOT ${sql.nan(v)} AND ${v} > 0`)} AS pinf${i}`,
          `${count(`NOT ${sql.finite(v)} AND NOT ${sql.nan(v)} AND ${v} < 0`)} AS ninf${i}`,
          `min(CASE WHEN ${sql.finite(v)} THEN ${v} END) AS lo${i}`,
          `max(CASE WHEN ${sql.finite(v)} THEN ${v} END) AS hi${i}`,
        ].join(", "),
      )
      .join(", ")} FROM ${relation}`,
  );
  const stats = columns.map((_, i) => {
    const num = (k: string) => Number(first?.[`${k}${i}`] ?? 0);
    const [lo, hi] = [first?.[`lo${i}`], first?.[`hi${i}`]].map((v) => (v === null || v === undefined ? null : Number(v)));
    const n = num("n");
    const [nan, pinf, ninf] = [num("nan"), num("pinf"), num("ninf")];
    const finite = n - nan - pinf - ninf;
    if (finite >= maxRows) throw new DataError(`column ${columns[i]} has ${finite} values: exact sums take at most 2^36 rows`);
    // What an IEEE sum of the values would be when one is not finite.
    const special = nan || (pinf && ninf) ? NaN : pinf ? Infinity : ninf ? -Infinity : undefined;
    return { n, finite, lo, hi, special };
  });

  // Pass 2: the sums that give each mean.
  const scale = (m: number) => (m > 0 ? valueBits - exponentAbove(m) : 0);
  const k = stats.map((s) => (s.lo === null || s.hi === null ? 0 : scale(Math.max(Math.abs(s.lo), Math.abs(s.hi)))));
  const wanted = stats.map((s, i) => i).filter((i) => stats[i].finite > 0 && stats[i].special === undefined);
  const means: (number | null)[] = stats.map((s) => (s.n === 0 ? null : s.special ?? null));
  if (wanted.length) {
    const items = wanted.flatMap((i) => sumItems(sql, `CASE WHEN ${sql.finite(x[i])} THEN ${x[i]} ELSE 0 END`, k[i], `s${i}`));
    const [row] = await run(`SELECT ${items.join(", ")} FROM ${relation}`);
    for (const i of wanted) means[i] = divide(total(row ?? {}, `s${i}`), stats[i].finite, k[i]);
  }
  if (!spread) return stats.map((s, i) => ({ count: s.n, mean: means[i], std: null }));

  // Pass 3: the sums of squared deviations from those means. Each deviation is first brought
  // below 1 by 2^-e (exact), so no square overflows or vanishes, and the spread scaled back by 2^e.
  const stds: (number | null)[] = stats.map((s) => (s.n === 0 ? null : s.special !== undefined ? NaN : null));
  const deviated: { i: number; e: number; k: number }[] = [];
  for (const i of wanted) {
    const m = means[i]!;
    // The largest deviation is at an end: rounding is monotone, so the engine's are no larger.
    const most = Math.max(stats[i].hi! - m, m - stats[i].lo!);
    if (most === 0) stds[i] = 0;
    else if (!Number.isFinite(most)) stds[i] = Infinity;
    else {
      const e = exponentAbove(most);
      const top = ldexp(most, -e) ** 2;
      // One bit of room in case the engine's square rounds above ours.
      deviated.push({ i, e, k: scale(2 * top) });
    }
  }
  if (deviated.length) {
    const items = deviated.flatMap(({ i, e, k: kq }) => {
      const d = scaled(`(${x[i]} - ${exactFloat(sql, means[i]!)})`, -e);
      return sumItems(sql, `CASE WHEN ${sql.finite(x[i])} THEN ${d} * ${d} ELSE 0 END`, kq, `q${i}`);
    });
    const [row] = await run(`SELECT ${items.join(", ")} FROM ${relation}`);
    for (const { i, e, k: kq } of deviated) stds[i] = ldexp(Math.sqrt(divide(total(row ?? {}, `q${i}`), stats[i].finite, kq)), e);
  }
  return stats.map((s, i) => ({ count: s.n, mean: means[i], std: stds[i] }));
}
