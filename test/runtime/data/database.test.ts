import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Database, readsWhole } from "../../../runtime/data/database.js";
import { DataError } from "../../../runtime/data/source.js";
import { nativeColumnRead } from "../../../runtime/models/native-engine.js";
import { bindingsVersion } from "../../../runtime/data/duckdb-module.js";
import { ident } from "../../../runtime/sql/quote.js";
import { readMatrix, readRows, readTarget, type Relation } from "../../../runtime/train-data.js";
import { withEnv } from "../../helpers.js";

let db: Database;
beforeAll(async () => {
  db = await Database.open();
  // 10_000 rows: several of DuckDB's 2048-row chunks, with a NULL in a late chunk.
  await db.exec(`CREATE TABLE t AS SELECT i, i * 0.5 AS half, CASE WHEN i = 9_000 THEN NULL ELSE i % 7 END AS m, CASE WHEN i % 3 = 0 THEN 'a' ELSE 'b' END AS label FROM range(10_000) r(i)`);
});
afterAll(() => db.close());
/** Runs `f` with LATHE_KERNELS set to `kernels` (`js`: the JavaScript twins), restoring it after. */
const withKernels = <T>(kernels: string, f: () => Promise<T>): Promise<T> => withEnv("LATHE_KERNELS", kernels, f);
const ds: Relation = { relation: ident("t"), columns: ["i", "half", "m", "label"], rows: 10_000, expansions: {} };

describe("columnar reads into typed arrays", () => {
  it("copies every chunk into Float32Arrays, in order", async () => {
    const { n, columns } = await db.float32Columns(`SELECT CAST(i AS FLOAT), CAST(half AS FLOAT) FROM t ORDER BY i`);
    expect(n).toBe(10_000);
    expect(columns[0]).toBeInstanceOf(Float32Array);
    expect(columns[0].length).toBe(10_000);
    for (let i = 0; i < n; i++) {
      if (columns[0][i] !== i || columns[1][i] !== i * 0.5) throw new Error(`row ${i}: ${columns[0][i]}, ${columns[1][i]}`);
    }
  });

  it("puts each row of a ranked read at its rank, whatever order the rows come in, NULL as NaN; refuses a rank beyond the rows or a missing row", async () => {
    // 10,000 rows in a shuffled order (rank = (i * 7919) % n is a permutation), over several chunks.
    const n = 10_000;
    const q = `SELECT CAST(i AS DOUBLE) AS v, CASE WHEN i % 1000 = 0 THEN NULL ELSE CAST(-i AS FLOAT) END AS w, CAST((i * 7919) % ${n} AS UINTEGER) AS r FROM range(${n}) t(i)`;
    const { n: got, columns } = await db.float32Columns(q, { rows: n, ranked: true });
    expect(got).toBe(n);
    expect(columns).toHaveLength(2);
    const v = new Float32Array(n);
    const w = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      v[(i * 7919) % n] = i;
      w[(i * 7919) % n] = i % 1000 === 0 ? NaN : -i;
    }
    expect(columns[0]).toEqual(v);
    expect(columns[1]).toEqual(w);
    await expect(db.float32Columns(q, { rows: n - 1, ranked: true })).rejects.toThrow(/rank beyond/);
    await expect(db.float32Columns(q.replace("FROM range", "FROM range(1) s(j), range"), { rows: n + 1, ranked: true })).rejects.toThrow(/gave 10000 rows of 10001/);
    await expect(db.float32Columns(`SELECT 1.0 AS v`, { rows: 1, ranked: true })).rejects.toThrow(/UINTEGER rank/);
  });

  it("reads a ranked read's pieces at once into the same columns (the one read's columns, native or not); a piece's error once every piece has stopped; pieces that differ refused", async () => {
    // A table the other connections see (a TEMP table is one connection's own), its rows in three pieces.
    await db.exec(`CREATE TABLE shuffled AS SELECT i, CAST((i * 7919) % 10000 AS UINTEGER) AS r FROM range(10_000) t(i)`);
    const piece = (from: number, to: number, extra = "") => `SELECT CAST(i AS DOUBLE) * 1.1 AS a, CASE WHEN i % 999 = 0 THEN NULL ELSE CAST(-i AS FLOAT) END AS b, r FROM shuffled WHERE i >= ${from} AND i < ${to}${extra}`;
    const pieces = [piece(0, 3_000), piece(3_000, 3_000), piece(3_000, 10_000)];
    const whole = await db.float32Columns(piece(0, 10_000), { rows: 10_000, ranked: true });
    const atOnce = await db.float32Columns(pieces, { rows: 10_000, ranked: true, shared: true });
    const inJs = await withKernels("js", () => db.float32Columns(pieces, { rows: 10_000, ranked: true }));
    expect(atOnce.n).toBe(10_000);
    expect(atOnce.columns[0].buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(atOnce.columns.map((c) => [...c])).toEqual(whole.columns.map((c) => [...c]));
    expect(inJs.columns.map((c) => [...c])).toEqual(whole.columns.map((c) => [...c]));
    expect(Number.isNaN(atOnce.columns[1][(999 * 7919) % 10_000])).toBe(true);
    const late = [piece(0, 5_000), `SELECT CAST(CASE WHEN i = 9_000 THEN error('boom at 9000') ELSE i END AS DOUBLE) AS a, CAST(i AS FLOAT) AS b, r FROM shuffled WHERE i >= 5000`];
    await expect(db.float32Columns(late, { rows: 10_000, ranked: true })).rejects.toThrow(/boom at 9000/);
    await expect(db.float32Columns([piece(0, 5_000), piece(5_000, 9_000)], { rows: 10_000, ranked: true })).rejects.toThrow(/gave 9000 rows of 10000/);
    await expect(db.float32Columns([piece(0, 5_000), `SELECT 1.0 AS a, r FROM shuffled WHERE i >= 5000`], { rows: 10_000, ranked: true })).rejects.toThrow(/differ in their columns/);
    // Every connection is free again: the pieces read once more.
    expect((await db.float32Columns(pieces, { rows: 10_000, ranked: true })).columns.map((c) => [...c])).toEqual(whole.columns.map((c) => [...c]));
    await expect(db.float32Columns(pieces, { rows: 10_000 })).rejects.toThrow(/only a ranked read/);
    await db.exec("DROP TABLE shuffled");
  });

  it("reads many rows of many columns ranked in arrival order, then puts them in rank order a column at a time: the chunk loop's columns, whole or in pieces", async () => {
    // 700,000 rows × 12 columns (33.6 MB of float32: over the size where the native read stages rows), ranks a permutation.
    const n = 700_000;
    await db.exec(`CREATE TABLE wide AS SELECT i, CAST((i * 7919) % ${n} AS UINTEGER) AS r FROM range(${n}) t(i)`);
    const select = `${Array.from({ length: 11 }, (_, j) => `CAST(i AS DOUBLE) * ${j + 1}.25 AS c${j}`).join(", ")}, CASE WHEN i % 777 = 0 THEN NULL ELSE CAST(-i AS FLOAT) END AS f, r FROM wide`;
    const pieces = [`SELECT ${select} WHERE i < 250000`, `SELECT ${select} WHERE i >= 250000 AND i < 250000`, `SELECT ${select} WHERE i >= 250000`];
    const inJs = await withKernels("js", () => db.float32Columns(`SELECT ${select}`, { rows: n, ranked: true }));
    const whole = await db.float32Columns(`SELECT ${select}`, { rows: n, ranked: true });
    const atOnce = await db.float32Columns(pieces, { rows: n, ranked: true, shared: true });
    const expected = new Float32Array(n);
    for (let i = 0; i < n; i++) expected[(i * 7919) % n] = i * 3.25;
    expect(inJs.columns[2]).toEqual(expected);
    for (const read of [whole, atOnce]) {
      expect(read.n).toBe(n);
      expect(read.columns).toHaveLength(12);
      for (let j = 0; j < 12; j++) if (!read.columns[j].every((v, i) => Object.is(v, inJs.columns[j][i]))) throw new Error(`column ${j} differs from the chunk loop's`);
    }
    await expect(db.float32Columns(`SELECT ${select} WHERE i <> 5`, { rows: n, ranked: true })).rejects.toThrow(`gave ${n - 1} rows of ${n}`);
    await expect(db.float32Columns([`SELECT ${select}`, `SELECT ${select} WHERE i = 5`], { rows: n, ranked: true })).rejects.toThrow(/more than the 700000 rows/);
    await expect(db.float32Columns([`SELECT ${select.replace("CAST(i AS DOUBLE) * 1.25", "CAST(CASE WHEN i = 600000 THEN error('boom at 600000') ELSE i END AS DOUBLE)")}`], { rows: n, ranked: true })).rejects.toThrow(/boom at 600000/);
    await db.exec("DROP TABLE wide");
  });

  it("reads float columns whole on a worker thread when the native module is built: the JavaScript read's columns, ranked or in order, a late chunk's error", async () => {
    const native = nativeColumnRead();
    expect(native, "the native module (npm run build) with readColumns").toBeDefined();
    // A new version of the client's bindings: check its result handle is still a duckdb_result*, then add it to `checkedBindings` (database.ts).
    expect(readsWhole(), `the native read is on for @duckdb/node-bindings ${bindingsVersion}`).toBe(true);
    // The module finds the DuckDB library the client loaded and takes the client's result handle.
    const stream = await db.connection.stream(`SELECT CAST(i AS DOUBLE), CAST(i AS UINTEGER) FROM t`);
    const whole = native!.readRanked([(stream as unknown as { result: unknown }).result], Int32Array.of(8), [new Float32Array(10_000)], 1);
    expect(whole).toBeInstanceOf(Promise);
    expect(await whole).toBe(10_000);
    // DOUBLE and FLOAT columns (NULLs in a late chunk), rows in a shuffled order: the same bits as the chunk loop in JavaScript.
    const q = `SELECT half * 1.1 AS a, CAST(m AS FLOAT) AS b, CAST((i * 7919) % 10000 AS UINTEGER) AS r FROM t`;
    const inNative = await db.float32Columns(q, { rows: 10_000, ranked: true });
    const inJs = await withKernels("js", () => db.float32Columns(q, { rows: 10_000, ranked: true }));
    expect(inNative.columns.map((c) => [...c])).toEqual(inJs.columns.map((c) => [...c]));
    expect(inNative.columns[1][(9_000 * 7919) % 10_000]).toBeNaN();
    await expect(db.float32Columns(`SELECT CAST(CASE WHEN i = 9_000 THEN error('boom at 9000') ELSE i END AS DOUBLE), CAST(i AS UINTEGER) FROM t ORDER BY i`, { rows: 10_000, ranked: true })).rejects.toThrow(/boom at 9000/);
    // The connection is free again after a failed read.
    expect((await db.float32Columns(q, { rows: 10_000, ranked: true })).n).toBe(10_000);
    // Unranked with the row count known: the rows in order, as the JavaScript read gives them; fewer
    // rows than said give exact columns, and more are read again in JavaScript (the columns cannot grow on the worker thread).
    const plain = `SELECT half * 1.1 AS a, CAST(m AS FLOAT) AS b FROM t ORDER BY i`;
    const ordered = await db.float32Columns(plain, { rows: 10_000, shared: true });
    const orderedJs = await withKernels("js", () => db.float32Columns(plain, { rows: 10_000, shared: true }));
    expect(ordered.columns.map((c) => [...c])).toEqual(orderedJs.columns.map((c) => [...c]));
    expect(ordered.columns[0].buffer).toBeInstanceOf(SharedArrayBuffer);
    const fewer = await db.float32Columns(plain, { rows: 10_001, shared: true });
    expect(fewer.n).toBe(10_000);
    expect(fewer.columns[1]).toHaveLength(10_000);
    expect(fewer.columns[0].buffer).toBeInstanceOf(SharedArrayBuffer);
    const more = await db.float32Columns(plain, { rows: 9_999 });
    expect(more.columns.map((c) => [...c])).toEqual(orderedJs.columns.map((c) => [...c]));
  });

  it("streams blocks of exactly the asked size (the last shorter), whatever DuckDB's chunk sizes, in order", async () => {
    for (const rows of [1000, 4096, 3000]) {
      const sizes: number[] = [];
      const firsts: number[] = [];
      const total = await db.float32Blocks("SELECT CAST(i AS FLOAT) FROM t", rows, (n, [col]) => {
        sizes.push(n);
        expect(col).toHaveLength(n);
        // Consecutive rows inside a block: nothing dropped or repeated at a chunk's edge.
        expect(col.every((v, r) => v === col[0] + r)).toBe(true);
        firsts.push(col[0]);
      });
      expect(total).toBe(10_000);
      expect(sizes.slice(0, -1).every((n) => n === rows)).toBe(true);
      expect(sizes.at(-1)).toBe(10_000 - rows * (sizes.length - 1));
      expect(firsts).toEqual(sizes.map((_, b) => b * rows));
    }
  });

  it("fails a read with the query's error when a late chunk fails, the fetch ahead of it included", async () => {
    const failing = `SELECT CAST(CASE WHEN i = 9_000 THEN error('boom at 9000') ELSE i END AS FLOAT) FROM t ORDER BY i`;
    await expect(db.float32Columns(failing)).rejects.toThrow(/boom at 9000/);
    await expect(db.float32Blocks(failing, 1000, () => undefined)).rejects.toThrow(/boom at 9000/);
    // A block's own error, with a fetch of the next chunk under way.
    await expect(db.float32Blocks("SELECT CAST(i AS FLOAT) FROM t", 2048, () => Promise.reject(new Error("block refused")))).rejects.toThrow(/block refused/);
    expect((await db.float32Columns("SELECT CAST(i AS FLOAT) FROM t")).n).toBe(10_000);
  });

  it("reads a NULL as NaN, in any chunk", async () => {
    const { columns } = await db.float32Columns(`SELECT CAST(m AS FLOAT) FROM t ORDER BY i`);
    const nan = [...columns[0].keys()].filter((i) => Number.isNaN(columns[0][i]));
    expect(nan).toEqual([9_000]);
    expect(columns[0][8_999]).toBe(8_999 % 7);
  });

  it("reads DOUBLE, FLOAT and integer columns alike, a NULL as NaN in each, a DOUBLE rounded to float32", async () => {
    const { columns } = await db.float32Columns(`SELECT CAST(m AS DOUBLE) + 0.1, CAST(m AS FLOAT), CAST(m AS INTEGER), i * 0.1 FROM t ORDER BY i`);
    for (const c of columns.slice(0, 3)) expect([...c.keys()].filter((i) => Number.isNaN(c[i]))).toEqual([9_000]);
    expect(columns[0][8_999]).toBe(Math.fround((8_999 % 7) + 0.1));
    expect(columns[2][8_998]).toBe(8_998 % 7);
    expect(columns[3][4_321]).toBe(Math.fround(4_321 * 0.1));
    const { columns: wide } = await db.float64Columns(`SELECT CAST(m AS DOUBLE) + 0.1 FROM t ORDER BY i`);
    expect(wide[0][8_999]).toBe((8_999 % 7) + 0.1);
    expect(Number.isNaN(wide[0][9_000])).toBe(true);
  });

  it("rounds DOUBLEs to float32 natively as a Float32Array's store does, beyond its range and at ties too", async () => {
    const edges = [0.1, -0.1, 1e39, -1e39, 3.4028235677973366e38, 1 + 2 ** -24, 1 + 3 * 2 ** -24, 1e-45, 7e-46, -0, 123456789.123];
    const values = Array.from({ length: 5_000 }, (_, i) => (i < edges.length ? edges[i] : Math.sin(i) * 10 ** ((i % 80) - 40)));
    await db.exec(`CREATE TABLE edges AS SELECT * FROM (VALUES ${values.map((v, i) => `(${i}, ${v === 0 && 1 / v < 0 ? "-0.0::DOUBLE" : `${v}::DOUBLE`})`).join(", ")}) v(i, x)`);
    const read = async () => (await db.float32Columns(`SELECT x FROM edges ORDER BY i`)).columns[0];
    const native = await read();
    const kernels = process.env.LATHE_KERNELS;
    process.env.LATHE_KERNELS = "js";
    try {
      const js = await read();
      expect(Buffer.from(native.buffer).equals(Buffer.from(js.buffer))).toBe(true);
    } finally {
      if (kernels === undefined) delete process.env.LATHE_KERNELS;
      else process.env.LATHE_KERNELS = kernels;
    }
    expect(Buffer.from(native.buffer).equals(Buffer.from(Float32Array.from(values).buffer))).toBe(true);
    expect(native[2]).toBe(Infinity);
    expect(native[3]).toBe(-Infinity);
  });

  it("reads features and target in one scan as they read apart, refusing what they refuse, features first", async () => {
    for (const [target, task] of [["half", "regression"], ["label", "classification"]] as const) {
      const both = await readRows(db, ds, "t", ["i", "half"], target, task);
      const apart = { x: await readMatrix(db, ds, "t", ["i", "half"]), ...(await readTarget(db, ds, "t", target, task)) };
      expect(both.x.names).toEqual(apart.x.names);
      expect(both.x.columns).toEqual(apart.x.columns);
      expect(both.y).toEqual(apart.y);
      expect(both.classes).toEqual(apart.classes);
      expect(both.y.buffer).toBeInstanceOf(SharedArrayBuffer);
    }
    expect((await readRows(db, ds, "t", ["i"], "label", "classification", ["b", "z"])).y[0]).toBe(-1);
    await expect(readRows(db, ds, "t", ["i"], "m", "regression")).rejects.toThrow(/target `m` has 1 missing or non-finite/);
    await expect(readRows(db, ds, "t", ["i"], "m", "classification")).rejects.toThrow(/target `m` has 1 missing values/);
    // Both bad: the feature's error, as when the features were read first.
    await expect(readRows(db, ds, "t", ["m"], "m", "regression")).rejects.toThrow(/`m` has 1 missing values in `t`/);
    await expect(readRows(db, ds, "t", ["m"], "m", "classification")).rejects.toThrow(/`m` has 1 missing values in `t`/);
  });

  it("refuses missing feature values before reading, naming the column and the count", async () => {
    await expect(readMatrix(db, ds, "t", ["m"])).rejects.toThrow(DataError);
    await expect(readMatrix(db, ds, "t", ["m"])).rejects.toThrow(/`m` has 1 missing values in `t`/);
    await expect(readMatrix(db, ds, "t", ["label"])).rejects.toThrow(/not numeric/);
    const x = await readMatrix(db, ds, "t", ["half", "i"]);
    expect(x.n).toBe(10_000);
    expect(x.names).toEqual(["half", "i"]);
  });

  it("refuses a regression target with a NULL, and maps class labels to indices", async () => {
    await expect(readTarget(db, ds, "t", "m", "regression")).rejects.toThrow(/1 missing or non-finite/);
    const { y, classes } = await readTarget(db, ds, "t", "label", "classification");
    expect(classes).toEqual(["a", "b"]);
    expect(y.filter((v) => v === 0).length).toBe(Math.ceil(10_000 / 3));
    for (let i = 0; i < 10_000; i += 997) expect(y[i]).toBe(i % 3 === 0 ? 0 : 1);
  });

  it("reads training columns exactly sized on shared buffers, whatever the row count it was told", async () => {
    const x = await readMatrix(db, ds, "t", ["half", "i"]);
    expect(x.columns[0].buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(x.columns[0].buffer.byteLength).toBe(10_000 * 4);
    expect(x.columns[1][9_999]).toBe(9_999);
    // A wrong count (too few, too many) still gives every row and no more.
    for (const rows of [0, 3, 20_000]) {
      const { n, columns } = await db.float32Columns(`SELECT CAST(i AS FLOAT) FROM t ORDER BY i`, { rows, shared: true });
      expect(n).toBe(10_000);
      expect(columns[0].length).toBe(10_000);
      expect(columns[0][9_999]).toBe(9_999);
    }
  });

  it("maps labels against known classes (unknown ones to -1), many classes as well as few", async () => {
    const { y } = await readTarget(db, ds, "t", "label", "classification", ["b", "z"]);
    expect(y[0]).toBe(-1);
    expect(y[1]).toBe(0);
    await expect(readTarget(db, ds, "t", "m", "classification")).rejects.toThrow(/1 missing values/);
    // 1,000 classes (past what DuckDB maps in SQL), and quotes in labels.
    await db.exec(`CREATE TABLE many AS SELECT i, 'c''' || (i % 1000) AS label FROM range(5_000) r(i)`);
    const many: Relation = { relation: ident("many"), columns: ["i", "label"], rows: 5_000, expansions: {} };
    const m = await readTarget(db, many, "many", "label", "classification");
    expect(m.classes.length).toBe(1000);
    expect(m.classes[m.y[4_321]]).toBe("c'321");
    // The same through the features' read, whose target then comes from the label strings.
    const mr = await readRows(db, many, "many", ["i"], "label", "classification");
    expect(mr.classes).toEqual(m.classes);
    expect(mr.y).toEqual(m.y);
    await db.exec(`CREATE TABLE quoted AS SELECT * FROM (VALUES ('a'), ('b'''), ('c')) v(label)`);
    const quoted: Relation = { relation: ident("quoted"), columns: ["label"], rows: 3, expansions: {} };
    expect(Array.from((await readTarget(db, quoted, "quoted", "label", "classification", ["b'", "a"])).y)).toEqual([1, 0, -1]);
  });
});

describe("drop duplicates' native first pass and its table of row ids", () => {
  /** The row ids whose hash another row has too, computed here from the pairs. */
  const repeatedOf = (pairs: { k: bigint; r: bigint }[]) => {
    const count = new Map<bigint, number>();
    for (const p of pairs) count.set(p.k, (count.get(p.k) ?? 0) + 1);
    return pairs.filter((p) => count.get(p.k)! > 1).map((p) => p.r).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  };
  const sorted = (ids: BigInt64Array) => Array.from(ids).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

  it("finds every row whose hash repeats, whatever bits the hashes differ in, with row ids of any size, whatever rows it was told to expect", async () => {
    // Hashes that differ only in their top bits (the partitions), only in their low bits (one
    // partition, long probe runs), and both; row ids with gaps and beyond 2^32.
    const cases = [
      `SELECT CAST(i % 1000 AS UBIGINT) << 54 AS k, CAST(i * 3 AS BIGINT) AS r FROM range(120000) t(i) WHERE i % 1000 < 990 OR i < 1000`,
      `SELECT CAST(i % 7 AS UBIGINT) AS k, CAST(i AS BIGINT) + 5000000000 AS r FROM range(50000) t(i)`,
      `SELECT hash(i // 2 + (i % 5 = 0)::INT * 1000000) AS k, CAST(i AS BIGINT) AS r FROM range(150000) t(i)`,
      `SELECT hash(i) AS k, CAST(i AS BIGINT) AS r FROM range(3) t(i)`,
      `SELECT hash(1) AS k, CAST(i AS BIGINT) AS r FROM range(1) t(i)`,
      `SELECT hash(i) AS k, CAST(i AS BIGINT) AS r FROM range(10) t(i) WHERE i < 0`,
    ];
    for (const sql of cases) {
      const pairs = (await db.rows(`SELECT k::VARCHAR AS k, r::VARCHAR AS r FROM (${sql})`)).map((p) => ({ k: BigInt(p.k as string), r: BigInt(p.r as string) }));
      const expected = repeatedOf(pairs);
      for (const told of [pairs.length, 0, 10_000_000]) {
        const found = await db.repeatedHashRows(sql, told);
        expect(found, sql).toBeInstanceOf(BigInt64Array);
        expect(sorted(found!), `${sql}, told ${told}`).toEqual(expected);
      }
    }
    // LATHE_KERNELS=js: no native search, for the caller's GROUP BY to run.
    expect(await withKernels("js", () => db.repeatedHashRows(cases[0], 1))).toBeUndefined();
  });

  it("refuses a result of another shape; a late error of the query fails the search", async () => {
    await expect(db.repeatedHashRows(`SELECT hash(i) AS k FROM range(5) t(i)`, 5)).rejects.toThrow(/UBIGINT hash and a BIGINT row id/);
    await expect(db.repeatedHashRows(`SELECT CAST(i AS BIGINT) AS k, CAST(i AS BIGINT) AS r FROM range(5) t(i)`, 5)).rejects.toThrow(/UBIGINT hash/);
    await expect(db.repeatedHashRows(`SELECT hash(i) AS k, CAST(CASE WHEN i = 290000 THEN 'x' ELSE i::VARCHAR END AS BIGINT) AS r FROM range(300000) t(i)`, 300000)).rejects.toThrow(/Conversion|convert|cast/i);
  });

  it("writes row ids to a temporary table a vector at a time: every id, in order, none or many", async () => {
    for (const [name, n] of [["ids_none", 0], ["ids_one", 1], ["ids_many", 5000]] as const) {
      const ids = BigInt64Array.from({ length: n }, (_, i) => BigInt(i) * 7919n + (i % 2 ? 1n << 62n : -(1n << 40n)));
      // A view on the middle of a larger buffer: its offset is honoured.
      const holder = new BigInt64Array(n + 10);
      holder.set(ids, 5);
      await db.idTable(name, holder.subarray(5, 5 + n));
      const back = (await db.rows(`SELECT r::VARCHAR AS r FROM ${name} ORDER BY rowid`)).map((r) => BigInt(r.r as string));
      expect(back).toEqual(Array.from(ids));
      expect((await db.rows(`SELECT temporary FROM duckdb_tables() WHERE table_name = '${name}'`))[0].temporary).toBe(true);
      await db.exec(`DROP TABLE ${name}`);
    }
  });
});

describe("every database is locked down", () => {
  it("loads no extensions, keeps no secrets and cannot be reconfigured, but threads can be set", async () => {
    const locked = await Database.open();
    try {
      await expect(locked.exec("SET autoload_known_extensions = true")).rejects.toThrow(/locked/);
      await expect(locked.exec("SET enable_external_access = false")).rejects.toThrow(/locked/);
      await expect(locked.rows("SELECT * FROM 'https://example.com/data.csv'")).rejects.toThrow(/httpfs/);
      await expect(locked.rows("SELECT * FROM read_xlsx('x.xlsx')")).rejects.toThrow(/excel/);
      await locked.exec("SET threads = 1");
      expect(await locked.rows("SELECT current_setting('threads') AS t")).toEqual([{ t: 1 }]);
      expect(await locked.rows("SELECT current_setting('allow_persistent_secrets') AS s")).toEqual([{ s: false }]);
    } finally {
      locked.close();
    }
  });

  it("describes a query's columns, in order, for wide results too", async () => {
    const cols = Array.from({ length: 3000 }, (_, i) => `${i} AS "c ${i}"`);
    const described = await db.describe(`SELECT ${cols.join(", ")}, 'x' AS s`);
    expect(described).toHaveLength(3001);
    expect(described[2999]).toEqual({ name: "c 2999", type: "INTEGER" });
    expect(described[3000]).toEqual({ name: "s", type: "VARCHAR" });
  });
});

describe("rows as JS values", () => {
  it("gives DATE and TIME values as DuckDB writes them, nested ones too, and infinite dates without failing", async () => {
    const rows = await db.rows(`SELECT DATE '2024-03-05' AS day, TIME '10:11:12.5' AS t, [DATE '2024-01-02', NULL] AS days, DATE 'infinity' AS never, DATE '-infinity' AS always, NULL::DATE AS none, TIMESTAMP '2024-03-05 10:11:12' AS ts`);
    expect(rows).toEqual([{ day: "2024-03-05", t: "10:11:12.5", days: ["2024-01-02", null], never: "infinity", always: "-infinity", none: null, ts: "2024-03-05T10:11:12.000Z" }]);
  });
});
