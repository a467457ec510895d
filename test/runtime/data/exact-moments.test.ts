import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Database } from "../../../runtime/data/database.js";
import { exactMoments } from "../../../runtime/data/exact-moments.js";
import { ident } from "../../../runtime/sql/quote.js";

let db: Database;
const duck = { engine: "duckdb" as const, ident };
const run = (sql: string) => db.rows(sql);
beforeAll(async () => {
  db = await Database.open();
});
afterAll(() => db.close());

/** The exact sum of doubles as a rational p / 2^1074 (every double is an integer multiple of 2^-1074). */
function exactSum(xs: number[]): bigint {
  let sum = 0n;
  const view = new DataView(new ArrayBuffer(8));
  for (const x of xs) {
    view.setFloat64(0, x);
    const bits = view.getBigUint64(0);
    const exp = Number((bits >> 52n) & 0x7ffn);
    const frac = bits & ((1n << 52n) - 1n);
    const mant = exp === 0 ? frac : frac | (1n << 52n);
    const units = mant << BigInt(Math.max(exp, 1) - 1);
    sum += bits >> 63n ? -units : units;
  }
  return sum;
}

/** The double nearest the exact mean: (Σ x)/n rounded once. */
function exactMean(xs: number[]): number {
  const t = exactSum(xs);
  const neg = t < 0n;
  const a = neg ? -t : t;
  const n = BigInt(xs.length);
  // The quotient to 80 bits and a sticky bit for all below: Number() then rounds it once.
  const shift = 100 + n.toString(2).length;
  let q = (a << BigInt(shift)) / n;
  let sticky = (a << BigInt(shift)) % n !== 0n;
  const drop = Math.max(0, q.toString(2).length - 80);
  sticky ||= (q & ((1n << BigInt(drop)) - 1n)) !== 0n;
  q = (q >> BigInt(drop)) * 2n + (sticky ? 1n : 0n);
  let v = Number(q);
  for (let e = drop - 1 - 1074 - shift; e !== 0; ) {
    const step = Math.max(-500, Math.min(500, e));
    v *= 2 ** step;
    e -= step;
  }
  return neg ? -v : v;
}

async function table(name: string, xs: (number | null)[], order = "") {
  await db.exec(`CREATE OR REPLACE TABLE ${name} AS SELECT * FROM (VALUES ${xs.map((x) => `(${x === null ? "NULL" : Number.isFinite(x) ? `${x.toExponential()}::DOUBLE` : `'${x}'::DOUBLE`})`).join(", ")}) v(x) ${order}`);
}

describe("exact moments", () => {
  it("gives each mean correctly rounded when the values fit one scale, and the population spread", async () => {
    // Integers and binary fractions: nothing below the scale's last bit, so the sums are exact.
    const xs = Array.from({ length: 5000 }, (_, i) => ((i * 7919) % 10007) / 64 - 50);
    await table("a", xs);
    const [m] = await exactMoments(run, duck, "a", ["x"], true);
    expect(m.count).toBe(5000);
    expect(m.mean).toBe(exactMean(xs));
    const mean = exactMean(xs);
    const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length;
    expect(m.std!).toBeCloseTo(Math.sqrt(variance), 11);
    const [{ s }] = await db.rows("SELECT stddev_pop(x) AS s FROM a");
    expect(Math.abs(m.std! - Number(s)) / m.std!).toBeLessThan(1e-13);
  });

  it("is within an ulp or two of the exact mean over magnitudes far apart", async () => {
    const xs = Array.from({ length: 3000 }, (_, i) => Math.sin(i) * 10 ** ((i % 13) - 6));
    await table("b", xs);
    const [m] = await exactMoments(run, duck, "b", ["x"], false);
    const want = exactMean(xs);
    expect(Math.abs(m.mean! - want)).toBeLessThanOrEqual(4 * Number.EPSILON * 1e6);
    expect(m.std).toBeNull();
  });

  it("gives the same bits whatever order the rows come in and on any number of threads", async () => {
    // 300k rows: DuckDB splits the scan between threads, and its avg differs from run to run.
    await db.exec("CREATE OR REPLACE TABLE c AS SELECT sin(i) * 1000 + i * 0.001 AS x, cos(i) / 3 AS y FROM range(300000) r(i)");
    await db.exec("CREATE OR REPLACE TABLE c2 AS SELECT * FROM c ORDER BY hash(x)");
    await db.exec("SET threads = 2");
    const seen = new Set<string>();
    for (const t of ["c", "c2", "c", "c2", "(SELECT * FROM c ORDER BY y)"]) seen.add(JSON.stringify(await exactMoments(run, duck, t, ["x", "y"], true)));
    await db.oneThread(async () => seen.add(JSON.stringify(await exactMoments(run, duck, "c2", ["x", "y"], true))));
    expect([...seen]).toHaveLength(1);
    const [x] = JSON.parse([...seen][0]);
    const [{ a }] = await db.rows("SELECT avg(x) AS a FROM c");
    expect(x.mean).toBeCloseTo(Number(a), 9);
  });

  it("learns a constant column exactly: its mean the value, its spread 0", async () => {
    await table("d", Array.from({ length: 1001 }, () => 0.1));
    const [m] = await exactMoments(run, duck, "d", ["x"], true);
    expect(m.mean).toBe(0.1);
    expect(m.std).toBe(0);
  });

  it("takes extreme magnitudes: huge values whose squares overflow, subnormals", async () => {
    await table("e", [1e300, -1e300, 3e300, 5e-324, 1e-310, null]);
    const [huge, tiny] = await exactMoments(run, duck, "(SELECT x AS h, x * 1e-320 AS t FROM e)", ["h", "t"], true);
    expect(huge.count).toBe(5);
    expect(huge.mean).toBeCloseTo(3e300 / 5, -290);
    // Deviations 2.4e300, -1.6e300, 2.4e300... : squares beyond a double, the spread is not.
    const m = 3e300 / 5;
    const want = Math.sqrt([1e300, -1e300, 3e300, 0, 0].reduce((s, x) => s + ((x - m) / 1e300) ** 2, 0) / 5) * 1e300;
    expect(huge.std! / want).toBeCloseTo(1, 12);
    expect(Number.isFinite(tiny.mean)).toBe(true);
    expect(tiny.std).toBeGreaterThan(0);
  });

  it("gives what an IEEE sum would for NaN and infinities, and NULL for no values", async () => {
    await table("f", [1, 2, Infinity]);
    await table("g", [1, -Infinity, Infinity]);
    await table("h", [1, NaN]);
    await table("i", [null, null]);
    const [[f], [g], [h], [i]] = await Promise.all(["f", "g", "h", "i"].map((t) => exactMoments(run, duck, t, ["x"], true)));
    expect(f).toEqual({ count: 3, mean: Infinity, std: NaN });
    expect(g.mean).toBeNaN();
    expect(h.mean).toBeNaN();
    expect(i).toEqual({ count: 0, mean: null, std: null });
  });
});
