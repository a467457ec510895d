import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Database } from "../../../runtime/data/database.js";
import { fitStep, learnStep, type AppliedStep } from "../../../runtime/data/steps.js";
import { clickhouseDialect as ch } from "../../../runtime/sql/clickhouse-dialect.js";
import { DialectError, type TypedColumn } from "../../../runtime/sql/dialect.js";
import { duckdbDialect as duck } from "../../../runtime/sql/duckdb-dialect.js";
import { loadPenguins, penguins, prepareSteps as steps, startCluster, type Cluster } from "../../clickhouse-cluster.js";
import { dataset } from "../../helpers.js";
import { rng } from "../../seeded-rng.js";

// The same rows on DuckDB and on a two-shard ClickHouse cluster (a Distributed table over both
// shards): the dialects must give the same row text, row hash, split parts, fitted constants and
// prepared rows. Comparisons are over sorted rows: a distributed table has no row order.
let cluster: Cluster;
let db: Database;
let duckColumns: TypedColumn[];
let chColumns: TypedColumn[];

/** Prepare steps from a program's `prepare` block. */

const sorted = (xs: string[]) => [...xs].sort();

beforeAll(async () => {
  cluster = startCluster();
  await loadPenguins(cluster);
  chColumns = (await cluster.rows("DESCRIBE TABLE penguins")).map((r) => ({ name: String(r.name), type: String(r.type) }));
  db = await Database.open();
  await db.exec(`CREATE TABLE penguins AS SELECT * FROM read_json(${duck.literal(dataset("penguins.json"))})`);
  duckColumns = (await db.rows("DESCRIBE penguins")).map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
}, 60_000);
afterAll(() => {
  cluster?.stop();
  db?.close();
});

describe("the ClickHouse dialect against DuckDB on the same rows", () => {
  it("spreads the rows over both shards", async () => {
    const counts = await Promise.all(([1, 2] as const).map(async (n) => Number((await cluster.query("SELECT count() FROM penguins_shard", n)).trim())));
    expect(counts.every((c) => c > 50)).toBe(true);
    expect(counts[0] + counts[1]).toBe(penguins.length);
  });

  it("gives every row the same canonical text and hash, though the engines type the columns differently", async () => {
    // DuckDB reads the integral measurements as BIGINT; the ClickHouse table has Float64.
    expect(duckColumns.find((c) => c.name === "Body Mass (g)")?.type).toBe("BIGINT");
    const d = (await db.rows(`SELECT ${duck.rowText(duckColumns)} AS t, ${duck.rowHash(duckColumns, 42)} AS h FROM penguins`)).map((r) => `${r.t}|${r.h}`);
    const c = (await cluster.rows(`SELECT ${ch.rowText(chColumns)} AS t, toString(${ch.rowHash(chColumns, 42)}) AS h FROM penguins`)).map((r) => `${r.t}|${r.h}`);
    expect(sorted(c)).toEqual(sorted(d));
    expect(d.some((t) => t.includes("\\N"))).toBe(true);
    expect(d[0].split("|")[0]).toBe("Adelie\tTorgersen\t39.1\t18.7\t181\t3750\tMALE");
  });

  it("writes doubles of every magnitude the same way on both engines", async () => {
    // No subnormals: 18.16 reads them in text as 0 (the server's parser, not the row text).
    const r = rng(18);
    const xs = [0, -0, 1, -1, 0.1, 1e-4, 9.99e-5, 1e-7, -3.5e-9, 2 ** 53, 2 ** 53 - 1, 2 ** 52 + 0.5, 1e16, -1e20, 1e300, 2 ** 117, 2 ** 118, NaN, Infinity, -Infinity];
    for (let i = 0; i < 3000; i++) {
      const scale = 10 ** Math.floor(r() * 40 - 20);
      xs.push((r() - 0.5) * scale, Math.round((r() - 0.5) * 1e6), Math.round(r() * 1e4) / 100);
    }
    // Sent as their bits: 18.16's text parser is not correctly rounded (1.661534994731145e+35 came
    // back one ulp off), so values the engines must agree on are loaded in a binary form (docs/scale-out.md).
    const view = new DataView(new ArrayBuffer(8));
    const bitsOf = (x: number) => (view.setFloat64(0, x), view.getBigUint64(0).toString());
    await cluster.query("CREATE TABLE double_bits (i UInt32, b UInt64) ENGINE = Memory");
    await cluster.query(`INSERT INTO double_bits FORMAT TabSeparated\n${xs.map((x, i) => `${i}\t${bitsOf(x)}`).join("\n")}\n`);
    await cluster.query("CREATE TABLE doubles ENGINE = Memory AS SELECT i, reinterpretAsFloat64(reinterpretAsString(b)) AS x FROM double_bits");
    const back = await cluster.rows("SELECT i, toString(reinterpretAsUInt64(reinterpretAsString(x))) AS b FROM doubles ORDER BY i");
    expect(back.map((row) => row.b)).toEqual(xs.map(bitsOf));
    await db.exec(`CREATE TABLE doubles AS SELECT * FROM (VALUES ${xs.map((x, i) => `(${i}, ${duck.literal(x)})`).join(", ")}) AS v(i, x)`);
    const col = (type: string): TypedColumn[] => [{ name: "x", type }];
    const d = (await db.rows(`SELECT i, ${duck.rowText(col("DOUBLE"))} AS t FROM doubles ORDER BY i`)).map((row) => `${row.i} ${row.t}`);
    const c = (await cluster.rows(`SELECT i, ${ch.rowText(col("Float64"))} AS t FROM doubles ORDER BY i`)).map((row) => `${row.i} ${row.t}`);
    expect(c).toEqual(d);
    expect(d.slice(0, 8)).toEqual(["0 0", "1 0", "2 1", "3 -1", "4 0.1", "5 0.0001", `6 t${9.99e-5 * 2 ** 64}`, `7 t${1e-7 * 2 ** 64}`]);
  });

  it("assigns every row the same part of a split", async () => {
    const spec = { parts: [{ name: "train", fraction: 0.7 }, { name: "validation", fraction: 0.15 }, { name: "test", fraction: 0.15 }], seed: 7 };
    const d = (await db.rows(`SELECT ${duck.rowText(duckColumns)} AS t, __lathe_part AS p FROM (${duck.portableSplit("penguins", duckColumns, spec, "__lathe_part")})`)).map((r) => `${r.t}|${r.p}`);
    const c = (await cluster.rows(`SELECT ${ch.rowText(chColumns)} AS t, __lathe_part AS p FROM (${ch.portableSplit("penguins", chColumns, spec, "__lathe_part")})`)).map((r) => `${r.t}|${r.p}`);
    expect(sorted(c)).toEqual(sorted(d));
    const share = (p: string) => d.filter((x) => x.endsWith(`|${p}`)).length / d.length;
    expect(share("train")).toBeGreaterThan(0.6);
    expect(share("validation")).toBeGreaterThan(0.08);
    expect(share("test")).toBeGreaterThan(0.08);
    // Another seed moves rows.
    const other = (await db.rows(`SELECT ${duck.rowText(duckColumns)} AS t, __lathe_part AS p FROM (${duck.portableSplit("penguins", duckColumns, { ...spec, seed: 8 }, "__lathe_part")})`)).map((r) => `${r.t}|${r.p}`);
    expect(sorted(other)).not.toEqual(sorted(d));
  });

  it("assigns every row the same part of a stratified split and of a split by time, without window functions on ClickHouse", async () => {
    const parts = [{ name: "train", fraction: 0.7 }, { name: "validation", fraction: 0.15 }, { name: "test", fraction: 0.15 }];
    // Ranks by the (hash, row text) key per class, and by time with NULLs last: "Body Mass (g)" has two missing.
    for (const how of [{ stratify: "Species" }, { time: "Body Mass (g)" }, { stratify: "Sex" }]) {
      const spec = { parts, seed: 3, ...how };
      const d = (await db.rows(`SELECT ${duck.rowText(duckColumns)} AS t, __lathe_part AS p FROM (${duck.portableSplit("penguins", duckColumns, spec, "__lathe_part")})`)).map((r) => `${r.t}|${r.p}`);
      const c = (await cluster.rows(`SELECT ${ch.rowText(chColumns)} AS t, __lathe_part AS p FROM (${ch.portableSplit("penguins", chColumns, spec, "__lathe_part")})`)).map((r) => `${r.t}|${r.p}`);
      expect(c.length).toBe(penguins.length);
      expect(sorted(c)).toEqual(sorted(d));
      // Exact sizes within each class (time: overall): 70% of 344 rounds as (r + ½)/n < 0.7 does, to 241.
      if ("time" in how) {
        expect(d.filter((x) => x.endsWith("|train")).length).toBe(241);
        // Oldest first: every training row is at most as heavy as every test row; NULLs go last, to the test part.
        const mass = (p: string) => d.filter((x) => x.endsWith(`|${p}`)).map((x) => x.split("\t")[5]);
        expect(mass("test").filter((m) => m === "\\N")).toHaveLength(2);
        expect(Math.max(...mass("train").map(Number))).toBeLessThanOrEqual(Math.min(...mass("test").filter((m) => m !== "\\N").map(Number)));
      } else {
        const column = duckColumns.findIndex((col) => col.name === how.stratify);
        const classes = new Map<string, number[]>();
        for (const x of d) {
          const [t, p] = x.split("|");
          const k = t.split("\t")[column];
          if (!classes.has(k)) classes.set(k, [0, 0]);
          classes.get(k)![p === "train" ? 0 : 1]++;
        }
        for (const [train, rest] of classes.values()) expect(train).toBe(Math.ceil((train + rest) * 0.7 - 0.5));
      }
    }
  });

  const fitted = steps(`fill "Beak Length (mm)", "Body Mass (g)" with median
fill Sex with mode
fill "Beak Depth (mm)" with mean
onehot Island, Sex
scale "Flipper Length (mm)" standard
scale "Beak Depth (mm)" minmax
bucket "Body Mass (g)" into 4`);

  it("learns the same constants bit for bit: medians, modes, vocabularies, buckets, means and spreads", async () => {
    for (const step of fitted) {
      const want = await fitStep(db, step, "penguins");
      // Over both shards, whose partial sums arrive in either order: exact sums (exactMoments) still agree.
      const got = await learnStep((sql) => cluster.rows(sql), ch, step, "penguins");
      expect(got).toEqual(want);
    }
  });

  it("learns means and spreads of 200,000 rows over both shards as DuckDB does on two threads, bit for bit", async () => {
    const made = cluster.script("table", "wide", "i UInt64, x Float64, y Float64", "i", "i");
    if (made.code !== 0) throw new Error(made.err);
    // Values both engines compute alike (integer arithmetic, one correctly rounded division each).
    await cluster.query("INSERT INTO wide SELECT number AS i, (number * 7919 % 100003) / 1024 + number / 3 AS x, number / 7 - 5000 AS y FROM system.numbers LIMIT 200000", 1, { params: { insert_distributed_sync: "1" } });
    await db.exec("CREATE TABLE wide AS SELECT i, (i * 7919 % 100003) / 1024 + i / 3 AS x, i / 7 - 5000 AS y FROM range(200000) r(i)");
    const [scale, fill] = steps(`scale x, y standard
fill y with mean`);
    for (const step of [scale, fill]) {
      const want = await fitStep(db, step, "wide");
      expect(await learnStep((sql) => cluster.rows(sql), ch, step, "wide")).toEqual(want);
      expect(await fitStep(db, step, "(SELECT * FROM wide ORDER BY y DESC)")).toEqual(want);
    }
  });

  it("gives what an IEEE sum would for NaN and infinities, as DuckDB does", async () => {
    // Each column a case: one +∞, ±∞ both, a NaN, only NULLs, finite values.
    await cluster.query("CREATE TABLE specials (a Float64, b Float64, c Float64, d Nullable(Float64), e Float64) ENGINE = Memory");
    await cluster.query("INSERT INTO specials VALUES (1, inf, 1, NULL, 0.5), (inf, -inf, nan, NULL, 2.25), (2, 1, 3, NULL, -7)");
    await db.exec("CREATE TABLE specials AS SELECT * FROM (VALUES (1, 'inf'::DOUBLE, 1, NULL::DOUBLE, 0.5), ('inf'::DOUBLE, '-inf'::DOUBLE, 'nan'::DOUBLE, NULL, 2.25), (2, 1, 3, NULL, -7)) v(a, b, c, d, e)");
    const [scale] = steps("scale a, b, c, d, e standard");
    const want = await fitStep(db, scale, "specials");
    expect(want).toEqual({ kind: "scale", stats: { a: { center: Infinity, scale: 1 }, b: { center: NaN, scale: 1 }, c: { center: NaN, scale: 1 }, d: { center: 0, scale: 1 }, e: { center: -4.25 / 3, scale: expect.any(Number) } } });
    expect(await learnStep((sql) => cluster.rows(sql), ch, scale, "specials")).toEqual(want);
  });

  it("prepares the same rows from the same constants", async () => {
    const chain = steps(`drop rows where "Beak Length (mm)" is missing
derive ratio = "Beak Length (mm)" / "Beak Depth (mm)"
derive heavy = "Body Mass (g)" > 4000 and Sex = 'MALE'
replace Sex "." -> "UNKNOWN"
clip "Flipper Length (mm)" between 180 and 220
lower Species
rename Island to place
cast "Flipper Length (mm)" as integer
derive r = round(ratio * 10) + least("Beak Depth (mm)", 18)`).concat(
      // The fitted steps above, with Island renamed to place.
      fitted.map((s) => (s.kind === "onehot" ? { ...s, columns: s.columns.map((c) => (c.text === "Island" ? { ...c, text: "place" } : c)) } : s)),
    );
    // Constants learned on DuckDB (as the plan would ship them), applied on both engines.
    const applied: AppliedStep[] = [];
    for (const step of chain) applied.push({ step, fitted: await fitStep(db, step, `(${duck.chain("penguins", applied, duckColumns.map((c) => c.name))})`) });
    await db.exec(`CREATE TABLE prepared AS ${duck.chain("penguins", applied, duckColumns.map((c) => c.name))}`);
    await cluster.query(`CREATE TABLE prepared ENGINE = Memory AS ${ch.chain("penguins", applied, chColumns.map((c) => c.name))}`);
    const dCols = (await db.rows("DESCRIBE prepared")).map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
    const cCols = (await cluster.rows("DESCRIBE TABLE prepared")).map((r) => ({ name: String(r.name), type: String(r.type) }));
    expect(cCols.map((c) => c.name)).toEqual(dCols.map((c) => c.name));
    expect(dCols.map((c) => c.name)).toContain("place_Torgersen");
    const d = (await db.rows(`SELECT ${duck.rowText(dCols)} AS t FROM prepared`)).map((r) => String(r.t));
    const c = (await cluster.rows(`SELECT ${ch.rowText(cCols)} AS t FROM prepared`)).map((r) => String(r.t));
    expect(c.length).toBe(penguins.filter((p) => p["Beak Length (mm)"] !== null).length);
    expect(sorted(c)).toEqual(sorted(d));
  });

  it("refuses, with a coded error naming the step and the engine, what ClickHouse cannot compute as DuckDB does", () => {
    const [dedupe] = steps("drop duplicates on Species");
    const attempt = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e;
      }
      throw new Error("no error");
    };
    const e = attempt(() => ch.step({ step: dedupe }, "penguins", ["Species"])) as DialectError;
    expect(e).toBeInstanceOf(DialectError);
    expect(e.code).toBe("engine-unsupported");
    expect(e.message).toMatch(/^drop duplicates on Species cannot run on clickhouse: /);
    const [rounding] = steps("derive r = round(x, 2)");
    expect((attempt(() => ch.step({ step: rounding }, "t", ["x"])) as DialectError).message).toMatch(/^round with a number of digits cannot run on clickhouse/);
    const [median] = steps("fill x with median");
    expect((attempt(() => ch.step({ step: median, inline: true }, "t", ["x"])) as DialectError).code).toBe("engine-unsupported");
    expect((attempt(() => ch.rowText([{ name: "a", type: "Array(String)" }])) as DialectError).message).toMatch(/column a cannot run on clickhouse: its type Array\(String\)/);
  });
});
