import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PrepareStep } from "../../../language/ast.js";
import { parse } from "../../../language/parse.js";
import { chainSql, dropStaged, fitAndCompile } from "../../../runtime/data/chain.js";
import { Database, readsWhole } from "../../../runtime/data/database.js";
import { fitStep } from "../../../runtime/data/steps.js";
import { withEnv } from "../../helpers.js";

// `drop duplicates` on a staged table deletes the repeats in place (`dropDuplicatesInPlace`, which
// finds the rows whose hash repeats first — in the native module, or by DuckDB's GROUP BY with
// LATHE_KERNELS=js — then compares the candidates' columns); the
// query form (`compileStep`: a window numbering rows, then a sort) stays for views. Both must keep
// the first occurrence of each row (or key) with the rows in input order, the same rows bit for bit.
// 130,000 rows span two of DuckDB's row groups, so threads read and group them in parallel.
const ROWS = 130_000;
let db: Database;
const log: string[] = [];

beforeAll(async () => {
  db = await Database.open(":memory:", { threads: "4" });
  for (const m of ["exec", "rows"] as const) {
    const run = db[m].bind(db) as (sql: string) => Promise<never>;
    db[m] = ((sql: string) => (log.push(sql), run(sql))) as never;
  }
  // Rows repeat between one and many times, anywhere in the input; missing values in every column.
  await db.exec(`CREATE TABLE src AS SELECT
      CASE WHEN v % 37 = 0 THEN NULL ELSE v % 900 END AS k,
      CASE WHEN v % 11 = 0 THEN NULL ELSE v / 8.0 END AS x,
      CASE WHEN v % 13 = 0 THEN NULL ELSE ['  Red', 'red', 'BLUE ', 'blue'][1 + v % 4] END AS s
    FROM (SELECT CAST(hash(i, 42) % 100000 AS BIGINT) AS v FROM range(${ROWS}) r(i))`);
  // Most rows repeat: the in-place path rewrites the rest compactly.
  await db.exec(`CREATE TABLE heavy AS SELECT k % 7 AS k, round(x / 2000) AS x, s FROM src`);
  await db.exec(`CREATE TABLE with_rowid AS SELECT k AS rowid, x, s FROM src`);
  // Each spelling once: 'v7x' and, later, 'V7X' are one value to a case-blind collation.
  await db.exec(`CREATE TABLE collated AS SELECT i AS k, (CASE WHEN i < 500 THEN 'v' || i || 'x' ELSE 'V' || (i - 500) || 'X' END) COLLATE NOCASE AS s FROM range(1000) r(i)`);
  await db.exec(`CREATE TABLE unique_rows AS SELECT i AS k, i / 3.0 AS x FROM range(1000) r(i)`);
  // Every repeated row repeats once (as in the bench's data), in shuffled order; the repeat of a 0 is a -0
  // and NaN is a value, both grouped as GROUP BY groups them (with the original).
  await db.exec(`CREATE TABLE pairs AS SELECT k, CASE WHEN j = 1 AND x = 0 THEN -0.0 ELSE x END AS x, s FROM (
      SELECT i AS k, CASE WHEN i % 7 = 0 THEN NULL WHEN i % 5 = 0 THEN 0.0 WHEN i % 3 = 0 THEN 'nan'::DOUBLE ELSE i / 4.0 END AS x,
        CASE WHEN i % 11 = 0 THEN NULL ELSE 'v' || (i % 13) END AS s FROM range(${ROWS / 2}) r(i)) base, range(2) t(j)
    WHERE j = 0 OR k % 10 = 0 ORDER BY hash(k, j)`);
  input = await rowsOf(`SELECT * FROM src`);
});
afterAll(() => db.close());

/** The steps of `prepare p = d { text }`. */
function steps(text: string): PrepareStep[] {
  const { program, diagnostics } = parse(`prepare p = d {\n${text}\n}`);
  expect(diagnostics).toEqual([]);
  const [statement] = program.statements;
  if (statement.kind !== "prepare") throw new Error("not a prepare");
  return statement.steps;
}

/** The rows a query gives, in its order. */
const rowsOf = (sql: string) => db.rows(sql);
/** Rows as one text, to compare large results quickly (a deep comparison of 70,000 objects takes seconds). */
const text = (rows: Record<string, unknown>[]) => JSON.stringify(rows);
let input: Record<string, unknown>[];

/** First occurrences of each row (by `key`), in input order, computed here from the rows in order. */
function firstOccurrences(rows: Record<string, unknown>[], key: (r: Record<string, unknown>) => unknown[]): Record<string, unknown>[] {
  const seen = new Set<string>();
  return rows.filter((r) => {
    const k = JSON.stringify(key(r));
    return seen.has(k) ? false : (seen.add(k), true);
  });
}

/** A digest of a query's rows in its order (written to a table, whose row ids follow that order). */
async function digest(sql: string): Promise<string> {
  await db.exec(`CREATE OR REPLACE TEMP TABLE digested AS ${sql}`);
  const [r] = await rowsOf(`SELECT count(*) AS n, md5(string_agg(CAST(d AS VARCHAR), ';' ORDER BY rowid)) AS h FROM digested d`);
  await db.exec(`DROP TABLE digested`);
  return `${r.n} rows, ${r.h}`;
}

/**
 * Fits `text` over `table`, staging it as for a lazy file source; gives the result's digest, that of
 * the query form over the input with the constants learned, and the statements run.
 */
async function bothWays(table: string, text: string) {
  const columns = (await db.describe(`SELECT * FROM ${table}`)).map((c) => c.name);
  const before = log.length;
  const fitted = await fitAndCompile(db, table, steps(text), columns, { stageBase: true });
  const statements = log.slice(before);
  const result = { staged: await digest(fitted.chain.sql), query: await digest(chainSql(table, fitted.applied, columns).sql), statements, rows: [] as Record<string, unknown>[] };
  // Each step that learned, refitted over the query form of the steps before it: the same constants.
  for (const [i, a] of fitted.applied.entries()) {
    if (a.fitted && a.step.kind !== "scale") expect(await fitStep(db, a.step, `(${chainSql(table, fitted.applied.slice(0, i), columns).sql})`)).toEqual(a.fitted);
  }
  result.rows = await rowsOf(fitted.chain.sql);
  await dropStaged(db, fitted);
  return result;
}

// Both first passes, each through every case: the native search and its twin, DuckDB's GROUP BY.
describe.each([
  ["the native search", undefined],
  ["DuckDB's GROUP BY (LATHE_KERNELS=js)", "js"],
])("drop duplicates on a staged table, first pass by %s", (_, kernels) => {
  const before = process.env.LATHE_KERNELS;
  beforeAll(() => {
    if (kernels) process.env.LATHE_KERNELS = kernels;
    else delete process.env.LATHE_KERNELS;
  });
  afterAll(() => {
    if (before === undefined) delete process.env.LATHE_KERNELS;
    else process.env.LATHE_KERNELS = before;
  });
  // The DELETE's candidates: the native search's rows (a table of row ids), or the GROUP BY's groups.
  const fromNative = /WHERE rowid IN \(SELECT r FROM "__lathe_repeats_\d+"\)/;

  it("the native module is used unless LATHE_KERNELS=js (npm run build compiles it, so both passes are tested here)", () => {
    expect(readsWhole()).toBe(!kernels);
  });

  it("keeps each row's first occurrence, in input order: the rows the query form gives, in its order", async () => {
    const { staged, query, statements, rows } = await bothWays("src", "drop duplicates\nfill x with median");
    expect(statements.some((s) => s.startsWith(`DELETE FROM "__lathe_stage_`))).toBe(true);
    expect(statements.some((s) => /row_number\(\)/.test(s))).toBe(false);
    const median = (await rowsOf(`SELECT median(x) AS m FROM (SELECT DISTINCT * FROM src)`))[0].m;
    const expected = firstOccurrences(input, (r) => [r.k, r.x, r.s]).map((r) => ({ ...r, x: r.x ?? median }));
    // Fewer than half the rows go: they are deleted in place, not written again.
    expect(expected.length).toBeGreaterThan(input.length * 0.5);
    expect(expected.length).toBeLessThan(input.length * 0.9);
    expect(statements.filter((s) => s.startsWith("CREATE OR REPLACE TEMP TABLE"))).toHaveLength(1);
    expect(text(rows)).toBe(text(expected));
    expect(staged).toBe(query);
    // The input table is read, never changed.
    expect((await rowsOf(`SELECT count(*) AS n FROM src`))[0].n).toBe(ROWS);
  });

  it("every repeat a pair (0 and -0, NaNs): only the candidate rows are compared on their columns", async () => {
    const { staged, query, statements, rows } = await bothWays("pairs", "drop duplicates\nfill x with median");
    const del = statements.find((s) => s.startsWith("DELETE"));
    // GROUP BY: a pair's two row ids, with no second hashing of every row.
    expect(del).toMatch(kernels ? /WHERE rowid IN \(SELECT f FROM/ : fromNative);
    expect(rows.length).toBe(ROWS / 2);
    expect(staged).toBe(query);
    // GROUP BY: the rows with many repeats take the path that hashes the rows again.
    const many = await bothWays("src", "drop duplicates\nfill x with median");
    expect(many.statements.find((s) => s.startsWith("DELETE"))).toMatch(kernels ? /WHERE hash\(/ : fromNative);
  });

  it("no row repeated: nothing is deleted", async () => {
    const { staged, query, statements, rows } = await bothWays("unique_rows", "drop duplicates\nfill k with median");
    expect(statements.some((s) => s.startsWith("DELETE"))).toBe(false);
    expect(rows.length).toBe(1000);
    expect(staged).toBe(query);
  });

  it("a collated column groups 'v7x' with 'V7X', as GROUP BY does, though their hashes differ", async () => {
    const { staged, query, statements, rows } = await bothWays("collated", "drop duplicates on s\nfill k with median");
    expect(statements.some((s) => s.startsWith("DELETE"))).toBe(true);
    expect(statements.some((s) => s.includes("hash("))).toBe(false);
    expect(rows.map((r) => r.s)).toEqual(Array.from({ length: 500 }, (_, i) => `v${i}x`));
    expect(staged).toBe(query);
  });

  it("on keys: the first row of each key (missing keys one group), in input order", async () => {
    const { staged, query, rows } = await bothWays("src", "drop duplicates on k, s\nfill x with median");
    expect(rows.map((r) => r.k)).toEqual(firstOccurrences(input, (r) => [r.k, r.s]).map((r) => r.k));
    expect(staged).toBe(query);
  });

  it("steps before, between and after two de-duplications: the same rows and constants as the query form", async () => {
    const text = "drop rows where x > 6000\ndrop duplicates\ntrim s\nlower s\nfill x with median\ndrop duplicates on s\nonehot s\nscale x standard";
    const { staged, query, statements, rows } = await bothWays("src", text);
    expect(statements.filter((s) => s.startsWith("DELETE"))).toHaveLength(2);
    expect(rows.length).toBe(3);
    expect(staged).toBe(query);
  });

  it("most rows repeated: the rows left are rewritten compactly, in the same order", async () => {
    const { staged, query, statements, rows } = await bothWays("heavy", "drop duplicates\nfill x with median");
    expect(statements.filter((s) => s.startsWith("CREATE OR REPLACE TEMP TABLE"))).toHaveLength(2);
    expect(rows.length).toBeLessThan(500);
    expect(staged).toBe(query);
  });

  it("a column named rowid hides DuckDB's row numbers: the query form is staged instead", async () => {
    const { staged, query, statements } = await bothWays("with_rowid", "drop duplicates\nfill x with median");
    expect(statements.some((s) => s.startsWith("DELETE"))).toBe(false);
    expect(statements.filter((s) => s.startsWith("CREATE OR REPLACE TEMP TABLE"))).toHaveLength(1);
    expect(staged).toBe(query);
    const onKey = await bothWays("with_rowid", "drop duplicates on rowid\nfill x with median");
    expect(onKey.staged).toBe(onKey.query);
  });

  it("more rows than the memory budget allows the native search: DuckDB's GROUP BY (which spills) finds the repeats", async () => {
    const { staged, query, statements } = await withEnv("LATHE_TRAIN_MEMORY", "1MB", () => bothWays("pairs", "drop duplicates\nfill x with median"));
    expect(statements.find((s) => s.startsWith("DELETE"))).toMatch(/WHERE rowid IN \(SELECT f FROM/);
    expect(staged).toBe(query);
  });

  it("no staged table is left behind", async () => {
    expect(await rowsOf(`SELECT table_name FROM duckdb_tables() WHERE table_name LIKE '__lathe_stage_%' OR table_name LIKE '__lathe_repeats_%'`)).toEqual([]);
  });
});
