import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Database } from "../../../runtime/data/database.js";
import { checkFeatures, firstInfinite, firstNonFinite, hasNonFinite } from "../../../runtime/data/feature-check.js";
import { nativeColumns } from "../../../runtime/models/native-engine.js";
import { DataError } from "../../../runtime/data/source.js";
import { ident } from "../../../runtime/sql/quote.js";

let db: Database;
beforeAll(async () => {
  db = await Database.open();
  await db.exec(`CREATE TABLE t AS SELECT i, i::DOUBLE / 2 AS d, CASE WHEN i = 3 THEN 'nan'::DOUBLE ELSE i END AS f, CASE WHEN i = 5 THEN NULL ELSE i END AS m, (i * 2)::VARCHAR AS numeric_text, 'x' || i AS text, DATE '2024-01-01' + i::INTEGER AS day, i % 2 = 0 AS b FROM range(10) r(i)`);
});
afterAll(() => db.close());

describe("feature checks", () => {
  it("refuses text, missing and non-finite values, naming the column, dataset and count", async () => {
    await checkFeatures(db, ident("t"), "t", ["i", "d", "numeric_text", "b"]);
    await expect(checkFeatures(db, ident("t"), "t", ["i", "f"])).rejects.toThrow("feature `f` has 1 NaN or infinite values in `t`");
    await expect(checkFeatures(db, ident("t"), "t", ["m"])).rejects.toThrow("feature `m` has 1 missing values in `t`; fill them in a prepare step (`fill m with median`) or drop those rows");
    await expect(checkFeatures(db, ident("t"), "t", ["text"])).rejects.toThrow("feature `text` in `t` is not numeric");
    await expect(checkFeatures(db, ident("t"), "t", ["day"])).rejects.toThrow(DataError);
    // The first column with a problem, in the order given.
    await expect(checkFeatures(db, ident("t"), "t", ["m", "f"])).rejects.toThrow(/`m`/);
    await expect(checkFeatures(db, ident("t"), "t", ["f", "m"])).rejects.toThrow(/`f`/);
  });

  it("for a learner that takes missing values, lets NULL and NaN pass and refuses text and infinities", async () => {
    await checkFeatures(db, ident("t"), "t", ["i", "f", "m", "numeric_text", "b"], true);
    await expect(checkFeatures(db, ident("t"), "t", ["text"], true)).rejects.toThrow("feature `text` in `t` is not numeric");
    await db.exec(`CREATE TABLE inf AS SELECT CASE WHEN i = 2 THEN 'inf'::DOUBLE WHEN i = 4 THEN NULL ELSE i END AS x, CASE WHEN i = 1 THEN '-inf' ELSE i::VARCHAR END AS s FROM range(6) r(i)`);
    await expect(checkFeatures(db, ident("inf"), "inf", ["x"], true)).rejects.toThrow("feature `x` has 1 infinite values in `inf`");
    await expect(checkFeatures(db, ident("inf"), "inf", ["s"], true)).rejects.toThrow("feature `s` has 1 infinite values in `inf`");
    expect(firstInfinite([Float32Array.of(NaN, 1), Float32Array.of(2, -Infinity)], 2)).toBe(1);
    expect(firstInfinite([Float32Array.of(NaN, 1), Float32Array.of(2, -Infinity)], 1)).toBe(-1);
  });

  it("checks wide data in bounded queries, so the cost grows linearly with the columns", async () => {
    // One SELECT with three filtered aggregates per column took 3.4 s for 1,000 columns and did not
    // finish in 180 s for 10,000: DuckDB's planning grows faster than linearly in a query's expressions.
    const n = 3000;
    await db.exec(`CREATE TABLE wide AS SELECT ${Array.from({ length: n }, (_, j) => (j === n - 1 ? `CASE WHEN i = 7 THEN NULL ELSE i END AS "c${j}"` : j % 2 ? `i * ${j} AS "c${j}"` : `(i * ${j})::VARCHAR AS "c${j}"`)).join(", ")} FROM range(20) r(i)`);
    const queries: string[] = [];
    const rows = db.rows.bind(db);
    db.rows = (sql: string) => (queries.push(sql), rows(sql));
    try {
      const columns = Array.from({ length: n }, (_, j) => `c${j}`);
      await expect(checkFeatures(db, ident("wide"), "wide", columns)).rejects.toThrow(`feature \`c${n - 1}\` has 1 missing values in \`wide\``);
      await checkFeatures(db, ident("wide"), "wide", columns.slice(0, -1));
    } finally {
      db.rows = rows;
    }
    const aggregates = queries.map((q) => (q.match(/ AS c\d+/g) ?? []).length);
    expect(Math.max(...aggregates)).toBeLessThanOrEqual(240);
    // Text columns take three checks, integers one: about 2 aggregates a column, two passes.
    expect(aggregates.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(2 * (3 * (n / 2) + n / 2) + 10);
  });
});

describe("the check of columns read as numbers", () => {
  // Columns of 1,000 values with one bad value (or none) at a ragged place: the native check and its twin agree.
  const columns = (bad: number | undefined, at: number) =>
    Array.from({ length: 6 }, (_, j) => Float32Array.from({ length: 1_003 }, (_, i) => (j === 4 && i === at && bad !== undefined ? bad : 1e38 * Math.sin(i + j))));

  it("finds the first column with a NaN or an infinity, natively and in JavaScript", () => {
    for (const [bad, at] of [[undefined, 0], [NaN, 1_002], [Infinity, 7], [-Infinity, 1_000]] as const) {
      const cols = columns(bad, at);
      const want = bad === undefined ? -1 : 4;
      expect(cols.findIndex((c) => hasNonFinite(c))).toBe(want);
      expect(firstNonFinite(cols, 1_003)).toBe(want);
      const native = nativeColumns();
      if (native) expect(native.firstNonFinite(cols, 1_003)).toBe(want);
    }
    // Only the first n values count.
    expect(firstNonFinite(columns(NaN, 1_002), 1_002)).toBe(-1);
  });
});
