import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PrepareStep } from "../../../language/ast.js";
import { parse } from "../../../language/parse.js";
import { ClickHouseConnection } from "../../../runtime/data/clickhouse-connection.js";
import { Database } from "../../../runtime/data/database.js";
import { engineSplit } from "../../../runtime/data/engine-split.js";
import { fitStep, type AppliedStep } from "../../../runtime/data/steps.js";
import { duckdbDialect as duck } from "../../../runtime/sql/duckdb-dialect.js";
import { startCluster, type Cluster } from "../../clickhouse-cluster.js";
import { dataset } from "../../helpers.js";

// Penguins in a Distributed table over both shards of a real cluster, and the same file in DuckDB:
// the split and its prepare steps run inside ClickHouse and only the parts come back. DuckDB's own
// split hash is DuckDB's, so the reference is DuckDB computing the portable split through its dialect.
let cluster: Cluster;
let conn: ClickHouseConnection;
let db: Database;
const penguins = JSON.parse(readFileSync(dataset("penguins.json"), "utf8")) as Record<string, unknown>[];

function steps(block: string): PrepareStep[] {
  const { program } = parse(`source p = read "x.json"\nprepare q = p {\n${block}\n}`);
  const s = program.statements.find((x) => x.kind === "prepare");
  if (s?.kind !== "prepare") throw new Error("no prepare statement");
  return s.steps;
}

const pre = steps(`drop rows where "Beak Length (mm)" is missing
derive ratio = "Beak Length (mm)" / "Beak Depth (mm)"`);
const post = steps(`fill Sex with mode
fill "Body Mass (g)" with median
onehot Island, Sex`);
const parts = [
  { name: "train", fraction: 0.7 },
  { name: "test", fraction: 0.3 },
];

/** DuckDB computing the same portable split and steps: the sorted canonical row text of each part. */
async function duckParts(seed: number): Promise<Record<string, string[]>> {
  const preSql = duck.chain("penguins", pre.map((step) => ({ step })), (await db.describe("SELECT * FROM penguins")).map((c) => c.name));
  const preCols = await db.describe(preSql);
  const assigned = `(${duck.portableSplit(`(${preSql})`, preCols, { parts, seed }, "__lathe_part")})`;
  const part = (name: string) => `(SELECT * EXCLUDE (__lathe_part, __lathe_h) FROM ${assigned} WHERE __lathe_part = ${duck.literal(name)})`;
  const names = preCols.map((c) => c.name);
  const applied: AppliedStep[] = [];
  for (const step of post) applied.push({ step, fitted: await fitStep(db, step, `(${duck.chain(part("train"), applied, names)})`) });
  const out: Record<string, string[]> = {};
  for (const p of parts) {
    const sql = duck.chain(part(p.name), applied, names);
    const cols = await db.describe(sql);
    out[p.name] = (await db.rows(`SELECT ${duck.rowText(cols)} AS t FROM (${sql})`)).map((r) => String(r.t)).sort();
  }
  return out;
}

beforeAll(async () => {
  cluster = startCluster();
  const made = cluster.script(
    "table",
    "penguins",
    "Species String, Island String, `Beak Length (mm)` Nullable(Float64), `Beak Depth (mm)` Nullable(Float64), `Flipper Length (mm)` Nullable(Float64), `Body Mass (g)` Nullable(Float64), Sex Nullable(String)",
    "Species",
    "cityHash64(Island, ifNull(`Body Mass (g)`, 0))",
  );
  if (made.code !== 0) throw new Error(made.err);
  await cluster.query(`INSERT INTO penguins FORMAT JSONEachRow\n${penguins.map((r) => JSON.stringify(r)).join("\n")}`, 1, { params: { insert_distributed_sync: "1" } });
  conn = await ClickHouseConnection.open(`http://127.0.0.1:${cluster.http[0]}/default`, { LATHE_CLICKHOUSE_USER: "default" });
  db = await Database.open();
  await db.exec(`CREATE TABLE penguins AS SELECT * FROM read_json(${duck.literal(dataset("penguins.json"))})`);
}, 60_000);
afterAll(async () => {
  await conn?.close();
  cluster?.stop();
  db?.close();
});

describe("a split pushed down to ClickHouse", () => {
  it("brings back the same parts, row for row, as DuckDB computing the portable split", async () => {
    const shards = await Promise.all(([1, 2] as const).map(async (n) => Number((await cluster.query("SELECT count() FROM penguins_shard", n)).trim())));
    expect(shards.every((n) => n > 50)).toBe(true);
    const got = await engineSplit(conn, db, { table: "penguins", pre, post, parts, train: "train", seed: 42 }, (p) => `ch_${p}`);
    const want = await duckParts(42);
    expect(got.parts.map((p) => [p.name, p.rows])).toEqual(parts.map((p) => [p.name, want[p.name].length]));
    expect(got.parts.reduce((a, p) => a + p.rows, 0)).toBe(penguins.filter((r) => r["Beak Length (mm)"] !== null).length);
    for (const p of got.parts) {
      const cols = await db.describe(`SELECT * FROM ${p.table}`);
      // Typed as the engine described them, with the indicators of the one-hot learned on the engine's training part.
      expect(cols.find((c) => c.name === "Body Mass (g)")?.type).toBe("DOUBLE");
      expect(cols.map((c) => c.name)).toContain("Island_Biscoe");
      const rows = (await db.rows(`SELECT ${duck.rowText(cols)} AS t FROM ${p.table}`)).map((r) => String(r.t)).sort();
      expect(rows).toEqual(want[p.name]);
    }
    expect(got.bytes).toBeGreaterThan(10_000);
  });

  it("moves rows with another seed, and keeps each part's row order fixed by the data and the seed", async () => {
    const a = await engineSplit(conn, db, { table: "penguins", pre, post, parts, train: "train", seed: 7 }, (p) => `a_${p}`);
    const b = await engineSplit(conn, db, { table: "penguins", pre, post, parts, train: "train", seed: 7 }, (p) => `b_${p}`);
    const order = async (t: string) => (await db.rows(`SELECT "Beak Length (mm)" AS x, "Body Mass (g)" AS m FROM ${t}`)).map((r) => `${r.x}/${r.m}`);
    expect(await order("a_train")).toEqual(await order("b_train"));
    const want = await duckParts(7);
    expect(a.parts.map((p) => p.rows)).toEqual([want.train.length, want.test.length]);
    expect(want.train).not.toEqual((await duckParts(42)).train);
  });
});
