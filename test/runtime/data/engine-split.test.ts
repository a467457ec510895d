import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Session } from "../../../api/session.js";
import { ClickHouseConnection } from "../../../runtime/data/clickhouse-connection.js";
import { Database } from "../../../runtime/data/database.js";
import { engineSplit } from "../../../runtime/data/engine-split.js";
import { fitStep, type AppliedStep } from "../../../runtime/data/steps.js";
import { duckdbDialect as duck } from "../../../runtime/sql/duckdb-dialect.js";
import { loadPenguins, penguins, prepareSteps as steps, startCluster, type Cluster } from "../../clickhouse-cluster.js";
import { dataset, tempDir } from "../../helpers.js";

// Penguins in a Distributed table over both shards of a real cluster, and the same file in DuckDB:
// the split and its prepare steps run inside ClickHouse and only the parts come back. DuckDB's own
// split hash is DuckDB's, so the reference is DuckDB computing the portable split through its dialect.
let cluster: Cluster;
let conn: ClickHouseConnection;
let db: Database;
let dir: string;
/** One session for the programs on files and one for the same programs on the cluster, reused across cases. */
let onFile: Session;
let onEngine: Session;


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
  const part = (name: string) => `(SELECT * EXCLUDE (__lathe_part, __lathe_h, __lathe_g) FROM ${assigned} WHERE __lathe_part = ${duck.literal(name)})`;
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

// The program runs as the cluster's password-protected user, with a password no file may hold afterwards.
const password = `pw-${randomUUID()}`;
const savedEnv = { user: process.env.LATHE_CLICKHOUSE_USER, password: process.env.LATHE_CLICKHOUSE_PASSWORD };

beforeAll(async () => {
  process.env.LATHE_CLICKHOUSE_PASSWORD = password;
  cluster = startCluster();
  await loadPenguins(cluster);
  conn = await ClickHouseConnection.open(`http://127.0.0.1:${cluster.http[0]}/default`, { LATHE_CLICKHOUSE_USER: "default" });
  db = await Database.open();
  await db.exec(`CREATE TABLE penguins AS SELECT * FROM read_json(${duck.literal(dataset("penguins.json"))})`);
  dir = tempDir("lathe-engine-split-");
  await loadFlights();
  process.env.LATHE_CLICKHOUSE_USER = "lathe";
  onFile = await Session.open({ record: false });
  onEngine = await Session.open({ record: false });
}, 60_000);
afterAll(async () => {
  for (const [k, v] of [["LATHE_CLICKHOUSE_USER", savedEnv.user], ["LATHE_CLICKHOUSE_PASSWORD", savedEnv.password]] as const) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await conn?.close();
  cluster?.stop();
  db?.close();
  onFile?.close();
  onEngine?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/**
 * Every 100th row of flights-3m (30,000 rows, the same rows on every run) as a parquet file for
 * DuckDB and in a Distributed table over both shards, sharded by origin. The times go in as epoch
 * seconds (the servers run in UTC), so both engines hold the same instants.
 */
async function loadFlights(): Promise<void> {
  const file = path.join(dir, "flights.parquet");
  await db.exec(`COPY (SELECT date, delay, distance, origin, destination FROM read_parquet(${duck.literal(dataset("flights-3m.parquet"))}, file_row_number = true) WHERE file_row_number % 100 = 42) TO ${duck.literal(file)} (FORMAT parquet)`);
  const made = cluster.script("table", "flights", "date DateTime, delay Nullable(Int64), distance Nullable(Int64), origin Nullable(String), destination Nullable(String)", "date", "cityHash64(ifNull(origin, ''))");
  if (made.code !== 0) throw new Error(made.err);
  const rows = await db.rows(`SELECT CAST(epoch(date) AS BIGINT) AS date, delay, distance, origin, destination FROM ${duck.literal(file)}`);
  await cluster.query(`INSERT INTO flights FORMAT JSONEachRow\n${rows.map((r) => JSON.stringify(r)).join("\n")}`, 1, { params: { insert_distributed_sync: "1" } });
}

/** Each part of a program's split as the sorted portable row texts of its rows, and the program's metrics. */
async function outcome(session: Session, text: string, parts: string[]): Promise<{ rows: Record<string, string[]>; metrics: string[]; note?: string; unassigned?: number }> {
  const out = await session.run(text);
  if (!out.ok) throw new Error(out.error?.message ?? out.diagnostics.map((d) => d.message).join("\n"));
  const rows: Record<string, string[]> = {};
  for (const p of parts) {
    const cols = await session.executor.db.describe(`SELECT * FROM ${p}`);
    rows[p] = (await session.executor.db.rows(`SELECT ${duck.rowText(cols)} AS t FROM ${p}`)).map((r) => String(r.t)).sort();
  }
  // Metrics as their exact bits (toString of a double round-trips).
  const metrics = (out.output?.metrics ?? []).map((m) => `${m.model}.${m.data}.${m.metric}=${m.value}`);
  const split = out.output?.results.find((r) => r.kind === "split");
  return { rows, metrics, ...(split?.kind === "split" ? { note: split.note, unassigned: split.unassigned } : {}) };
}

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

  it("keeps each part's row order fixed by the data and the seed", async () => {
    await engineSplit(conn, db, { table: "penguins", pre, post, parts, train: "train", seed: 42 }, (p) => `again_${p}`);
    const order = async (t: string) => (await db.rows(`SELECT "Beak Length (mm)" AS x, "Body Mass (g)" AS m FROM ${t}`)).map((r) => `${r.x}/${r.m}`);
    expect(await order("again_train")).toEqual(await order("ch_train"));
  });
});

describe("stratified, time and by-column splits on ClickHouse", () => {
  const url = () => `http://127.0.0.1:${cluster.http[0]}/default`;
  const program = (source: string, split: string) => `${source}
prepare clean = p {
  drop rows where "Beak Length (mm)" is missing
  fill Sex with mode
  onehot Island
}
${split}`;
  const cases: [string, string, string[]][] = [
    ["stratified", "split clean into train 70%, validation 15%, test 15% stratify by Species seed 9 hash portable", ["train", "validation", "test"]],
    ["by time", `split clean into train 60%, test 40% by time on "Body Mass (g)" seed 9 hash portable`, ["train", "test"]],
    ["by column", "split clean into Adelie, Gentoo by column Species", ["Adelie", "Gentoo"]],
  ];
  for (const [name, split, parts] of cases) {
    it(`${name}: the same parts as the program on DuckDB`, async () => {
      const local = await outcome(onFile, program(`source p = read "${dataset("penguins.json")}"`, split), parts);
      const remote = await outcome(onEngine, program(`source p = table "penguins" from clickhouse "${url()}"`, split), parts);
      expect(remote.note).toMatch(/^ran on clickhouse/);
      for (const p of parts) expect(remote.rows[p]).toEqual(local.rows[p]);
      // Every row is in a part (by column: or counted as in none, the Chinstraps).
      const chinstraps = name === "by column" ? penguins.filter((r) => r["Beak Length (mm)"] !== null && r.Species === "Chinstrap").length : 0;
      expect(remote.unassigned ?? 0).toBe(chinstraps);
      expect(local.unassigned ?? 0).toBe(chinstraps);
      expect(parts.reduce((a, p) => a + local.rows[p].length, 0) + chinstraps).toBe(penguins.filter((r) => r["Beak Length (mm)"] !== null).length);
      expect(local.rows[parts[1]].length).toBeGreaterThan(30);
    });
  }
});

describe("the flights workflow on the cluster", () => {
  const program = (source: string, split: string) => `${source}
prepare f = flights {
  drop rows where delay is missing
  derive hour = hour(date)
  derive weekday = dayofweek(date)
  clip delay between -60 and 600
  fill distance with median
  scale distance standard
}
${split}
model lr = linear_regression predicting delay from train { features: distance, hour, weekday }
model dt = decision_tree predicting delay from train { features: distance, hour, weekday }
evaluate lr on test metrics rmse, mae, r2
evaluate dt on test metrics rmse, r2`;
  const sources = () => [`source flights = read "${path.join(dir, "flights.parquet")}"`, `source flights = table "flights" from clickhouse "http://127.0.0.1:${cluster.http[1]}/default"`];

  it("splits 30,000 flights over both shards into the same parts as DuckDB and gives the same metrics, bit for bit", async () => {
    const shards = await Promise.all(([1, 2] as const).map(async (n) => Number((await cluster.query("SELECT count() FROM flights_shard", n)).trim())));
    expect(shards.every((n) => n > 5000)).toBe(true);
    const [file, engine] = sources();
    const split = "split f into train 80%, test 20% seed 42 hash portable";
    const local = await outcome(onFile, program(file, split), ["train", "test"]);
    const remote = await outcome(onEngine, program(engine, split), ["train", "test"]);
    expect(remote.note).toMatch(/^ran on clickhouse/);
    expect(local.rows.train.length + local.rows.test.length).toBeGreaterThan(29_000);
    expect(remote.rows.train).toEqual(local.rows.train);
    expect(remote.rows.test).toEqual(local.rows.test);
    expect(local.metrics).toHaveLength(5);
    expect(remote.metrics).toEqual(local.metrics);
  });

  it("stratified by origin: the same parts and metrics", async () => {
    const [file, engine] = sources();
    const split = "split f into train 70%, test 30% stratify by origin seed 5 hash portable";
    const local = await outcome(onFile, program(file, split), ["train", "test"]);
    const remote = await outcome(onEngine, program(engine, split), ["train", "test"]);
    expect(remote.rows.train).toEqual(local.rows.train);
    expect(remote.rows.test).toEqual(local.rows.test);
    expect(remote.metrics).toEqual(local.metrics);
  });
});

describe("a program whose source is on ClickHouse", () => {
  it("loads and prepares there, brings back only the parts it splits into, and trains on them", async () => {
    const root = tempDir("lathe-ch-program-");
    process.env.LATHE_CLICKHOUSE_USER = "lathe";
    const session = await Session.open({ root });
    try {
      const url = `http://127.0.0.1:${cluster.http[0]}/default`;
      const text = `source p = table "penguins" from clickhouse "${url}"
prepare clean = p {
  drop rows where "Beak Length (mm)" is missing
  derive ratio = "Beak Length (mm)" / "Beak Depth (mm)"
  fill Sex with mode
  fill "Body Mass (g)" with median
  onehot Island, Sex
}
split clean into train 70%, test 30% seed 42
model m = logistic_regression predicting Species from train { features: "Beak Length (mm)", ratio, "Body Mass (g)", Island }
evaluate m on test metrics accuracy`;
      const out = await session.run(text);
      expect(out.error).toBeUndefined();
      expect(out.ok).toBe(true);
      // Each part holds the rows DuckDB's portable split gives, with the constants learned on the engine.
      const want = await duckParts(42);
      for (const p of parts) {
        const cols = await session.executor.db.describe(`SELECT * FROM ${p.name}`);
        const rows = (await session.executor.db.rows(`SELECT ${duck.rowText(cols)} AS t FROM ${p.name}`)).map((r) => String(r.t)).sort();
        expect(rows).toEqual(want[p.name]);
      }
      expect(out.output?.metrics.find((m) => m.metric === "accuracy")?.value).toBeGreaterThan(0.8);
      // The run record says which steps ran on the engine (the URL, never credentials); the rest ran on DuckDB.
      const run = await session.store.load(out.runId!);
      const steps = (run?.plan as { steps: { op: string; engine?: { engine: string; url: string } }[] }).steps;
      expect(steps.map((s) => [s.op, s.engine?.engine ?? "duckdb"])).toEqual([["load", "clickhouse"], ["prepare", "clickhouse"], ["split", "clickhouse"], ["train", "duckdb"], ["evaluate", "duckdb"]]);
      expect(steps[0].engine?.url).toBe(url);
      // Nothing in the store holds the credentials.
      const files = readdirSync(root, { recursive: true, withFileTypes: true }).filter((f) => f.isFile());
      expect(files.length).toBeGreaterThan(3);
      for (const f of files) expect(readFileSync(path.join(f.parentPath, f.name), "latin1")).not.toContain(password);
      // Run again: the engine's fingerprint of the rows is unchanged, so the split's parts come from the step cache.
      const again = await session.run(text);
      expect(again.ok).toBe(true);
      expect(again.output?.results.map((r) => [r.kind, (r as { reused?: boolean }).reused === true])).toEqual([["dataset", true], ["dataset", true], ["split", true], ["model", true], ["metrics", false]]);
      expect(again.output?.metrics.find((m) => m.metric === "accuracy")?.value).toBe(out.output?.metrics.find((m) => m.metric === "accuracy")?.value);
      // One more row on the engine changes its fingerprint: everything after the load runs again.
      await cluster.query(`INSERT INTO penguins FORMAT JSONEachRow\n${JSON.stringify({ ...penguins[0], "Body Mass (g)": 3751 })}`, 2, { params: { insert_distributed_sync: "1" } });
      const changed = await session.run(text);
      expect(changed.output?.results.map((r) => (r as { reused?: boolean }).reused === true)).toEqual([false, false, false, false, false]);
      expect(changed.output?.results.find((r) => r.kind === "split")).toMatchObject({ parts: [{ rows: expect.any(Number) }, { rows: expect.any(Number) }] });
      // What the engine cannot do is a checker error before anything runs, never an empty table.
      const dedup = await session.run("prepare d = p {\n  drop duplicates on Species\n}\nshow d");
      expect(dedup.diagnostics.map((d) => d.code)).toEqual(["engine-unsupported"]);
    } finally {
      session.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
