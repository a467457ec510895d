import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reproduce } from "../../../api/reproduce.js";
import { Session, type RunOutcome } from "../../../api/session.js";
import { ClickHouseConnection } from "../../../runtime/data/clickhouse-connection.js";
import { Database } from "../../../runtime/data/database.js";
import { writeEngineRows } from "../../../runtime/data/engine-write.js";
import type { DataError } from "../../../runtime/errors.js";
import { ModelRegistry } from "../../../runtime/model-registry.js";
import { renderDescribe } from "../../../runtime/ops/describe.js";
import { duckdbDialect as duck } from "../../../runtime/sql/duckdb-dialect.js";
import { loadPenguins, penguins, startCluster, type Cluster } from "../../clickhouse-cluster.js";
import { dataset, latheSync, tempDir } from "../../helpers.js";

// Reads of rows that stay on ClickHouse other than a split (show, describe, plot, a model trained on
// an unsplit prepare of them, batch scores written back, snapshots), on a real two-shard cluster.
// The reference is DuckDB reading the same rows from a file in the order the engine gives them
// back (its stable order: the portable row hash with seed 0, then the row text), so every
// number must be the same bit for bit.
let cluster: Cluster;
let root: string;
let session: Session;
let url: string;
/** The penguins as a Parquet file in the engine's stable order, typed as they come back from the engine. */
let ordered: string;

// The cluster's user `lathe` gets this password; the programs connect as `default` (no password)
// unless a source names its own credential variables.
const password = `pw-${randomUUID()}`;
const saved = { user: process.env.LATHE_CLICKHOUSE_USER, password: process.env.LATHE_CLICKHOUSE_PASSWORD };

beforeAll(async () => {
  process.env.LATHE_CLICKHOUSE_PASSWORD = password;
  delete process.env.LATHE_CLICKHOUSE_USER;
  try {
    cluster = startCluster();
  } finally {
    delete process.env.LATHE_CLICKHOUSE_PASSWORD;
  }
  await loadPenguins(cluster);
  url = `http://127.0.0.1:${cluster.http[0]}/default`;
  root = tempDir("lathe-ch-reads-");
  session = await Session.open({ root });
  const db = session.executor.db;
  ordered = path.join(root, "ordered.parquet");
  const doubles = ["Beak Length (mm)", "Beak Depth (mm)", "Flipper Length (mm)", "Body Mass (g)"].map((c) => `CAST(${duck.ident(c)} AS DOUBLE) AS ${duck.ident(c)}`);
  await db.exec(`CREATE TABLE local_penguins AS SELECT Species, Island, ${doubles.join(", ")}, Sex FROM read_json(${duck.literal(dataset("penguins.json"))})`);
  const cols = await db.describe("SELECT * FROM local_penguins");
  await db.exec(`COPY (SELECT * FROM local_penguins ORDER BY ${duck.rowHash(cols, 0)}, ${duck.rowText(cols)}) TO ${duck.literal(ordered)} (FORMAT parquet)`);
}, 60_000);
afterAll(() => {
  for (const [k, v] of [["LATHE_CLICKHOUSE_USER", saved.user], ["LATHE_CLICKHOUSE_PASSWORD", saved.password]] as const) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  delete process.env.TEST_CH_USER;
  delete process.env.TEST_CH_PASSWORD;
  session?.close();
  cluster?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

/** The program over a source: show, describe, plot, then a prepare that learns, read by `show` and by a model trained on all its rows. */
const program = (source: string) => `${source}
show p limit 5
describe p
plot histogram of p columns "Body Mass (g)"
prepare c = p {
  drop rows where Sex is missing
  fill "Body Mass (g)" with median
  onehot Island
}
show c limit 3
model m = logistic_regression predicting Species from c { features: "Beak Length (mm)", "Body Mass (g)", Island }
evaluate m on c metrics accuracy, log_loss`;

/** The engine source and a prepare of it that learns (a median fill, a one-hot), which models below train on. */
const engineC = () => `source p = table "penguins" from clickhouse "${url}"
prepare c = p {
  drop rows where Sex is missing
  fill "Body Mass (g)" with median
  onehot Island
}`;

function results(out: RunOutcome) {
  expect(out.error).toBeUndefined();
  expect(out.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return out.output!.results;
}

describe("rows that stay on ClickHouse, read other than by a split", () => {
  it("show, describe, plot and a model on an unsplit prepare give what DuckDB gives on the same rows", async () => {
    // describe's per-column charts are the profile drawn; the table is what is compared (and quicker without them).
    const onEngine = await session.run(program(`source p = table "penguins" from clickhouse "${url}"`), { displayCharts: false });
    const local = await session.run(program(`source p = read "${ordered}"`), { file: path.join(root, "local.lathe"), displayCharts: false });
    const [e, l] = [results(onEngine), results(local)];
    expect(e.map((r) => r.kind)).toEqual(l.map((r) => r.kind));
    // show: the LIMIT pushed down over the stable order gives the file's first rows.
    const tables = (rs: typeof e) => rs.filter((r) => r.kind === "table") as Extract<(typeof e)[number], { kind: "table" }>[];
    expect(tables(e).map((t) => t.rows.length)).toEqual([5, 3]);
    expect(tables(e).map((t) => t.rows)).toEqual(tables(l).map((t) => t.rows));
    // describe: all 344 rows come back (under the sample bound), the same profile.
    const described = (rs: typeof e) => rs.find((r) => r.kind === "describe") as Extract<(typeof e)[number], { kind: "describe" }>;
    expect(described(e).rows).toBe(penguins.length);
    expect(described(e).sampled).toBeUndefined();
    expect(described(e).columns).toEqual(described(l).columns);
    // plot: the chart of the column's values.
    const chart = (rs: typeof e) => rs.find((r) => r.kind === "chart") as Extract<(typeof e)[number], { kind: "chart" }>;
    const spec = (rs: typeof e) => JSON.parse(JSON.stringify(chart(rs).bundle["application/vnd.vegalite.v5+json"]));
    expect(spec(e)).toEqual(spec(l));
    // The prepare's median and vocabulary learned on the engine, the rows brought back in the stable order: the same model, bit for bit.
    const metrics = (o: RunOutcome) => o.output!.metrics.map((m) => [m.metric, m.value]);
    expect(metrics(onEngine)).toEqual(metrics(local));
    expect(metrics(onEngine).find(([m]) => m === "accuracy")?.[1]).toBeGreaterThan(0.9);
    // The run record says the load and the prepare ran on the engine; training on DuckDB.
    const steps = (onEngine.plan as { steps: { op: string; engine?: unknown }[] }).steps;
    expect(steps.filter((s) => s.engine).map((s) => s.op)).toEqual(["load", "prepare"]);
  }, 120_000);

  it("describes and plots a bounded sample: the first rows of the stable order, said so", async () => {
    process.env.LATHE_ENGINE_SAMPLE_ROWS = "100";
    try {
      const text = `describe p\nplot histogram of p columns "Body Mass (g)"`;
      const onEngine = await session.run(`source p = table "penguins" from clickhouse "${url}"\n${text}`, { displayCharts: false });
      const local = await session.run(`source p = sql "SELECT * FROM read_parquet('${ordered}') LIMIT 100"\n${text}`, { displayCharts: false });
      const [e, l] = [results(onEngine), results(local)];
      const described = (rs: typeof e) => rs.find((r) => r.kind === "describe") as Extract<(typeof e)[number], { kind: "describe" }>;
      expect([described(e).rows, described(e).sampled]).toEqual([penguins.length, 100]);
      expect(described(e).columns).toEqual(described(l).columns);
      expect(renderDescribe(described(e)).parts[0]).toMatchObject({ note: expect.stringContaining(`statistics of a sample of 100 of the ${penguins.length} rows`) });
      const chart = (rs: typeof e) => rs.find((r) => r.kind === "chart") as Extract<(typeof e)[number], { kind: "chart" }>;
      expect(chart(e).title).toBe(`${chart(l).title} (a sample of 100 of ${penguins.length} rows on clickhouse)`);
    } finally {
      delete process.env.LATHE_ENGINE_SAMPLE_ROWS;
    }
  }, 60_000);

  it("writes batch scores back into the engine: created, appended, refused when the table does not fit", async () => {
    const text = `${engineC()}
model m = logistic_regression predicting Species from c { features: "Beak Length (mm)", "Body Mass (g)", Island }
register m as "engine-peng"
deploy "engine-peng@latest" batch from c to table "scores"
deploy "engine-peng@latest" batch from c to "${path.join(root, "scores.parquet")}"`;
    const out = await session.run(text);
    const written = results(out).filter((r) => r.kind === "written") as { rows: number; where: string }[];
    expect(written[0].where).toBe(`table scores on clickhouse (${url})`);
    const n = written[0].rows;
    expect(n).toBe(penguins.filter((r) => r.Sex !== null).length);
    // Count and a checksum of what landed (over both engines' text of each probability, rounded) match DuckDB's scores.
    const [got] = await cluster.rows("SELECT count() AS n, sum(probability_Adelie) AS a, sum(probability_Gentoo) AS g, countIf(predicted_Species = 'Chinstrap') AS chin, countIf(Species = predicted_Species) AS right FROM scores");
    const [want] = await session.executor.db.rows(`SELECT count(*) AS n, sum(probability_Adelie) AS a, sum(probability_Gentoo) AS g, count(*) FILTER (predicted_Species = 'Chinstrap') AS chin, count(*) FILTER (Species = predicted_Species) AS right FROM read_parquet(${duck.literal(path.join(root, "scores.parquet"))})`);
    expect([Number(got.n), Number(got.chin), Number(got.right)]).toEqual([Number(want.n), Number(want.chin), Number(want.right)]);
    expect(Number(got.a)).toBeCloseTo(Number(want.a), 9);
    expect(Number(got.g)).toBeCloseTo(Number(want.g), 9);
    const types = await cluster.rows("SELECT name, type FROM system.columns WHERE database = 'default' AND table = 'scores'");
    expect(types.find((t) => t.name === "model_version")?.type).toBe("Nullable(Int32)");
    // Again: appended (each batch carries its run id).
    await session.run(`deploy "engine-peng@latest" batch from c to table "scores"`);
    expect(Number((await cluster.rows("SELECT count() AS n, uniqExact(run_id) AS runs FROM scores"))[0].n)).toBe(2 * n);
    // A table that exists with other columns: refused, coded, before any row is sent.
    await cluster.query("CREATE TABLE bad_scores (Species UInt8) ENGINE = MergeTree() ORDER BY tuple()");
    const bad = await session.run(`deploy "engine-peng@latest" batch from c to table "bad_scores" in clickhouse "${url}"`);
    expect(bad.error?.code).toBe("engine-table-mismatch");
    expect(bad.error?.message).toContain("`Species` is UInt8");
    expect(Number((await cluster.rows("SELECT count() AS n FROM bad_scores"))[0].n)).toBe(0);
    // `table "t"` alone names the engine the rows come from: rows from a file have none.
    const none = await session.check(`source f = read "${ordered}"\nsave f to table "x"`);
    expect(none.diagnostics.map((d) => d.code)).toEqual(["missing-engine"]);
  }, 120_000);

  it("register of a model trained on the engine's parts profiles their raw rows, brought back for it", async () => {
    const text = `source p = table "penguins" from clickhouse "${url}"
prepare clean = p {
  drop rows where "Beak Length (mm)" is missing
  fill "Body Mass (g)" with median
  onehot Island
}
split clean into train 70%, test 30% seed 5
model m = logistic_regression predicting Species from train { features: "Beak Length (mm)", "Body Mass (g)", Island }
register m as "engine-ref"`;
    const out = await session.run(text);
    const train = (results(out).find((r) => r.kind === "split") as { parts: { name: string; rows: number }[] }).parts[0];
    // `clean` was a view (only the split read it); a later cell reads it whole, its steps run there.
    const later = await session.run("show clean limit 2");
    expect((results(later)[0] as { columns: string[] }).columns).toContain("Island_Dream");
    type Feature = { feature: string; kind: string; count: number; categories?: { value: string; count: number }[] };
    const reference = new ModelRegistry(session.store).reference<{ profile: { rows: number; features: Feature[] }; unprofiled: unknown[] }>("engine-ref", 1)!;
    // Every input column profiled from the raw rows of the training part (the fill and the one-hot
    // rewrote them in the part's table, which a profile of the table would have to leave out).
    expect(reference.unprofiled).toEqual([]);
    expect(reference.profile.rows).toBe(train.rows);
    expect(reference.profile.features.map((f) => [f.feature, f.kind]).sort()).toEqual([["Beak Length (mm)", "numeric"], ["Body Mass (g)", "numeric"], ["Island", "categorical"]]);
    // The islands as the engine holds them, counted over the training part.
    const island = reference.profile.features.find((f) => f.feature === "Island")!;
    expect(island.categories!.map((c) => c.value).sort()).toEqual(["Biscoe", "Dream", "Torgersen"]);
    expect(island.categories!.reduce((a, c) => a + c.count, 0)).toBe(train.rows);
  }, 120_000);

  it("registers a model the step cache put back, whose training rows are still on the engine", async () => {
    // A first session trains it; a second, on the same store, has the step cache put it back.
    const text = `${engineC()}
model m = logistic_regression predicting Species from c { features: "Beak Length (mm)", "Body Mass (g)" }
register m as "cached-peng"`;
    const first = await Session.open({ root });
    try {
      results(await first.run(text));
    } finally {
      first.close();
    }
    const fresh = await Session.open({ root });
    try {
      const out = await fresh.run(text);
      expect(results(out).map((r) => [r.kind, (r as { reusedFrom?: string }).reusedFrom !== undefined])).toEqual([["dataset", false], ["dataset", false], ["model", true], ["registry", false]]);
      // Its rows came back for the reference: the raw column profiled, the filled one said to be prepared.
      const reference = new ModelRegistry(fresh.store).reference<{ profile: { features: { feature: string }[] }; unprofiled: { column: string }[] }>("cached-peng", 2)!;
      expect(reference.profile.features.map((f) => f.feature)).toEqual(["Beak Length (mm)"]);
      expect(reference.unprofiled.map((u) => u.column)).toEqual(["Body Mass (g)"]);
    } finally {
      fresh.close();
    }
  }, 60_000);

  it("keeps the engine's rows as the run's snapshot; reproduce reads them back after they changed", async () => {
    const text = `source p = table "penguins" from clickhouse "${url}" snapshot
prepare clean = p {
  drop rows where "Beak Length (mm)" is missing
  fill "Body Mass (g)" with median
}
split clean into train 70%, test 30% seed 11
model m = logistic_regression predicting Species from train { features: "Beak Length (mm)", "Flipper Length (mm)", "Body Mass (g)" }
evaluate m on test metrics accuracy, log_loss
save test to table "snapshot_test_rows"`;
    // A session of its own: this one holds `p`'s load already, and a reused load keeps no snapshot.
    const fresh = await Session.open({ root });
    let out: RunOutcome;
    try {
      out = await fresh.run(text);
    } finally {
      fresh.close();
    }
    expect((results(out)[0] as { note?: string }).note).toMatch(/^read from clickhouse .*; snapshot kept$/);
    const original = (await session.store.load(out.runId!))!;
    // `table "T"` alone for a part of the split: the engine its rows came from.
    const test = (results(out).find((r) => r.kind === "split") as { parts: { name: string; rows: number }[] }).parts[1];
    expect(Number((await cluster.rows("SELECT count() AS n FROM snapshot_test_rows"))[0].n)).toBe(test.rows);
    expect(original.artifacts.filter((a) => a.kind === "snapshot").map((a) => a.name)).toEqual(["snapshot-p.parquet"]);
    // The rows change on the engine.
    await cluster.query(`INSERT INTO penguins FORMAT JSONEachRow\n${penguins.slice(0, 40).map((r) => JSON.stringify({ ...r, "Body Mass (g)": 9999 })).join("\n")}`, 2, { params: { insert_distributed_sync: "1" } });
    const again = await reproduce(session, original);
    expect(again.outcome.error).toBeUndefined();
    const load = again.outcome.output!.results[0] as { note?: string };
    expect(load.note).toContain("the engine's rows have changed since");
    expect(again.again!.metrics.map((m) => [m.metric, m.value])).toEqual(original.metrics.map((m) => [m.metric, m.value]));
    expect(again.diff?.identical).toBe(true);
    // The save names the engine the rows came from, which the reproduction read a snapshot of instead: it plans, and writes nothing.
    expect(again.outcome.output!.results.at(-1)).toMatchObject({ kind: "notice" });
    // DuckDB split the snapshot's rows as the engine did: the portable hash, the engine's order.
    const planned = (again.outcome.plan as { steps: { op: string; hash?: string; engine?: unknown }[] }).steps.find((s) => s.op === "split");
    expect([planned?.hash, planned?.engine]).toEqual(["portable", undefined]);
  }, 120_000);

  it("writes each DuckDB type as a column 18.16 reads back as the same values (engine-write.ts)", async () => {
    const row = "SELECT 1::BIGINT AS i, 2.5::DOUBLE AS d, 'x é' AS t, true AS b, DATE '2024-03-01' AS day, TIMESTAMP '2024-03-01 12:34:56' AS ts, 12.34::DECIMAL(6,2) AS dec, [1, 2] AS list";
    const out = await session.run(`source s = sql "${row} UNION ALL SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL"\nsave s to table "typed" in clickhouse "${url}"`);
    expect((results(out)[1] as { rows: number }).rows).toBe(2);
    const types = Object.fromEntries((await cluster.rows("SELECT name, type FROM system.columns WHERE database = 'default' AND table = 'typed'")).map((r) => [r.name, r.type]));
    expect(types).toEqual({ i: "Nullable(Int64)", d: "Nullable(Float64)", t: "Nullable(String)", b: "Nullable(UInt8)", day: "Nullable(Date)", ts: "Nullable(DateTime)", dec: "Nullable(Float64)", list: "Nullable(String)" });
    expect(await cluster.rows("SELECT * FROM typed ORDER BY i NULLS LAST")).toEqual([
      { i: "1", d: 2.5, t: "x é", b: 1, day: "2024-03-01", ts: "2024-03-01 12:34:56", dec: 12.34, list: "[1, 2]" },
      { i: null, d: null, t: null, b: null, day: null, ts: null, dec: null, list: null },
    ]);
  }, 60_000);

  it("writes NaN, ±∞ and instants with a time zone back as they are, and refuses times 18.16 cannot hold (engine-write.ts)", async () => {
    // The CLI in a time zone that is not the server's (UTC): an instant must not move with it
    // (DuckDB takes its time zone from TZ when it starts, so in a process of its own).
    const rows = "SELECT * FROM (VALUES (1, 'nan'::DOUBLE, 'inf'::FLOAT, TIMESTAMPTZ '2024-03-01 12:34:56.9+02'), (2, 'inf'::DOUBLE, '-inf'::FLOAT, NULL), (3, '-inf'::DOUBLE, 'nan'::FLOAT, TIMESTAMPTZ '2105-12-31 23:59:59+00'), (4, -0.0::DOUBLE, 0.5::FLOAT, NULL)) v(i, d, f, tz)";
    const program = path.join(root, "special.lathe");
    writeFileSync(program, `source s = sql "${rows}"\nsave s to table "special" in clickhouse "${url}"\n`);
    const tz = process.env.TZ;
    process.env.TZ = "America/New_York";
    let ran: ReturnType<typeof latheSync>;
    try {
      ran = latheSync(["run", program], root);
    } finally {
      if (tz === undefined) delete process.env.TZ;
      else process.env.TZ = tz;
    }
    expect(ran.err).toBe("");
    const db = await Database.open();
    const conn = await ClickHouseConnection.open(url);
    try {
      const back = await cluster.rows("SELECT i, toString(d) AS d, toString(f) AS f, toString(tz) AS text, toUnixTimestamp(tz) AS secs FROM special ORDER BY i");
      expect(back).toEqual([
        { i: 1, d: "nan", f: "inf", text: "2024-03-01 10:34:56", secs: 1709289296 },
        { i: 2, d: "inf", f: "-inf", text: null, secs: null },
        { i: 3, d: "-inf", f: "nan", text: "2105-12-31 23:59:59", secs: 4291747199 },
        { i: 4, d: "-0", f: "0.5", text: null, secs: null },
      ]);
      // Before 1970 or after 2105 a DateTime (a Date before 1970) holds another value: refused, nothing written.
      for (const t of ["TIMESTAMP '1969-07-20 20:17:00'", "TIMESTAMPTZ '2106-01-01 00:00:00+00'", "DATE '1960-01-01'"]) {
        const refused = await writeEngineRows(conn, db, `SELECT ${t} AS t`, "early").catch((e: DataError) => e);
        expect((refused as DataError).code).toBe("engine-out-of-range");
      }
      expect(await cluster.rows("SELECT count() AS n FROM system.tables WHERE name = 'early'")).toEqual([{ n: "0" }]);
    } finally {
      await conn.close();
      db.close();
    }
  }, 60_000);

  it("reads a table with columns that have no portable text (arrays, enums): ordered by them as they are", async () => {
    await cluster.query("CREATE TABLE odd (k Int64, tags Array(String), e Enum8('a' = 1, 'b' = 2)) ENGINE = MergeTree() ORDER BY k");
    await cluster.query(`INSERT INTO odd FORMAT JSONEachRow\n${[3, 1, 2].map((k) => JSON.stringify({ k, tags: ["x", String(k)], e: k % 2 ? "a" : "b" })).join("\n")}`);
    const out = await session.run(`source o = table "odd" from clickhouse "${url}"\nshow o\nsave o to "${path.join(root, "odd.parquet")}"`);
    const shown = results(out)[1] as { rows: Record<string, unknown>[] };
    expect(shown.rows.map((r) => [Number(r.k), r.tags, r.e]).sort()).toEqual([[1, '["x","1"]', "a"], [2, '["x","2"]', "b"], [3, '["x","3"]', "a"]]);
    const again = await session.run("show o");
    expect((results(again)[0] as { rows: unknown[] }).rows).toEqual(shown.rows);
    expect((results(out)[2] as { rows: number }).rows).toBe(3);
    // A split hashes every column: the checker refuses one over them before anything runs, not once they are dropped.
    const split = await session.check(`source o = table "odd" from clickhouse "${url}"\nsplit o into a 50%, b 50%`);
    expect(split.diagnostics.map((d) => [d.code, d.message])).toEqual([["engine-unsupported", "a split on clickhouse hashes every column, and `tags` (Array(String)), `e` (Enum8('a' = 1, 'b' = 2)) have no portable text: drop them before the split (`drop columns tags, e`)"]]);
    const dropped = await session.check(`source o = table "odd" from clickhouse "${url}"\nprepare q = o { drop columns tags, e }\nsplit q into a 50%, b 50%`);
    expect(dropped.diagnostics).toEqual([]);
  }, 60_000);

  it("connects with the credential variables a source names, and keeps only their names", async () => {
    const source = `source q = table "penguins" from clickhouse "${url}" with { user_env: "TEST_CH_USER"; password_env: "TEST_CH_PASSWORD" }`;
    process.env.TEST_CH_USER = "lathe";
    process.env.TEST_CH_PASSWORD = password;
    const out = await session.run(`${source}\nshow q limit 2\nsave q to table "copied"`);
    expect((results(out).find((r) => r.kind === "table") as { rows: unknown[] }).rows).toHaveLength(2);
    // `table "copied"` alone: the source's engine, with its credentials; the rows are copied there, never leaving it.
    expect((results(out)[2] as { where: string }).where).toBe(`table copied on clickhouse (${url}), copied there`);
    expect((await cluster.rows("SELECT count() AS n FROM copied"))[0].n).toBe((await cluster.rows("SELECT count() AS n FROM penguins"))[0].n);
    expect(JSON.stringify(out.plan)).toContain("TEST_CH_PASSWORD");
    for (const f of readdirSync(root, { recursive: true, withFileTypes: true }).filter((x) => x.isFile())) expect(readFileSync(path.join(f.parentPath, f.name), "latin1")).not.toContain(password);
    // A wrong password, and a variable that is not set: engine-auth, naming the variables.
    process.env.TEST_CH_PASSWORD = "wrong";
    const refused = await session.check(`${source}\nshow q`);
    expect(refused.diagnostics.map((d) => d.code)).toEqual(["engine-auth"]);
    expect(refused.diagnostics[0].message).toContain("TEST_CH_USER / TEST_CH_PASSWORD");
    delete process.env.TEST_CH_PASSWORD;
    const unset = await session.check(`${source}\nshow q`);
    expect(unset.diagnostics.map((d) => [d.code, d.message])).toEqual([["engine-auth", "the environment variable TEST_CH_PASSWORD (the source's `password_env`) is not set"]]);
    // The value itself in the program is no variable name.
    const literal = await session.check(`source q = table "penguins" from clickhouse "${url}" with { password_env: "hunter 2" }`);
    expect(literal.diagnostics.map((d) => d.code)).toContain("type-mismatch");
  }, 120_000);
});
