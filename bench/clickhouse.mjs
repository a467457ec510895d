// Benchmark: flights-3m prepare + split on DuckDB and on a two-shard ClickHouse cluster (issue 18).
//
//   npm run build && node bench/clickhouse.mjs [rounds, default 1] [port base, default 19600]
//
// Starts the cluster (scripts/clickhouse-cluster.sh, Debian's clickhouse-server 18.16), loads the
// 3M flights into a Distributed table over both shards (sharded by origin; not timed), then runs
// bench/flights.mjs's program — load, a prepare with two fitted steps (median fill, standard
// scale), an 80/20 split — through Session.run, once with the parquet file as the source (DuckDB)
// and once with the cluster's table, alternating. Reports per side the wall time, rows/s (input
// rows over the time of the run), the bytes of rows that came back to the client (ClickHouse: the
// JSON the split streamed), each part's size, and the 1-minute load average. Stops the cluster.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Session } from "../dist/api/session.js";
import { Database } from "../dist/runtime/data/database.js";
import { flightsSteps } from "./flights-program.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const rounds = Number(process.argv[2] ?? 1);
const base = Number(process.argv[3] ?? 19600);
const file = path.resolve(here, "../node_modules/vega-datasets/data/flights-3m.parquet");
const script = path.resolve(here, "../scripts/clickhouse-cluster.sh");
const dir = mkdtempSync(path.join(os.tmpdir(), "lathe-bench-clickhouse-"));
const sh = (...args) => {
  const r = spawnSync("bash", [script, ...args], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`clickhouse-cluster.sh ${args[0]}: ${r.stderr}`);
};

const prepare = flightsSteps();

async function run(source) {
  const t0 = performance.now();
  const session = await Session.open({ record: false });
  try {
    const out = await session.run(source + prepare);
    if (!out.ok) throw new Error(out.error?.message ?? out.diagnostics.map((d) => d.message).join("\n"));
    const ms = performance.now() - t0;
    const split = out.output.results.find((r) => r.kind === "split");
    const bytes = Number(/(\d+) bytes of rows came back/.exec(split.note ?? "")?.[1] ?? 0);
    return { ms, bytes, parts: split.parts.map((p) => `${p.name} ${p.rows.toLocaleString()}`).join(", ") };
  } finally {
    session.close();
  }
}

sh("start", dir, String(base));
try {
  const env = Object.fromEntries(readFileSync(path.join(dir, "cluster.env"), "utf8").trim().split("\n").map((l) => l.split("=")));
  sh("table", dir, "flights", "date DateTime, delay Nullable(Int64), distance Nullable(Int64), origin Nullable(String), destination Nullable(String)", "date", "cityHash64(ifNull(origin, ''))");
  // The rows as TSV (times as epoch seconds; the servers run in UTC), streamed into the Distributed table.
  const tsv = path.join(dir, "flights.tsv");
  const db = await Database.open();
  await db.exec(`COPY (SELECT CAST(epoch(date) AS BIGINT), delay, distance, origin, destination FROM '${file}') TO '${tsv}' (DELIMITER '\t', HEADER false, QUOTE '', NULLSTR '\\N')`);
  const [{ n }] = await db.rows(`SELECT count(*) AS n FROM '${file}'`);
  db.close();
  const l0 = performance.now();
  const res = spawnSync("curl", ["-sS", "--fail", "--data-binary", `@${tsv}`, `http://127.0.0.1:${env.HTTP1}/?insert_distributed_sync=1&query=${encodeURIComponent("INSERT INTO flights FORMAT TabSeparated")}`], { encoding: "utf8" });
  if (res.status !== 0) throw new Error(`insert: ${res.stderr}${res.stdout}`);
  console.log(`loaded ${Number(n).toLocaleString()} rows (${(statSync(tsv).size / 2 ** 20).toFixed(0)} MB of TSV) into both shards in ${((performance.now() - l0) / 1000).toFixed(1)} s`);
  rmSync(tsv);
  process.env.LATHE_CLICKHOUSE_USER = "default";
  delete process.env.LATHE_CLICKHOUSE_PASSWORD;
  const sides = {
    duckdb: `source flights = read "${file}"`,
    clickhouse: `source flights = table "flights" from clickhouse "http://127.0.0.1:${env.HTTP1}/default"`,
  };
  for (let r = 0; r < rounds; r++) {
    for (const side of r % 2 ? ["clickhouse", "duckdb"] : ["duckdb", "clickhouse"]) {
      const got = await run(sides[side]);
      const s = got.ms / 1000;
      console.log(`${side}: ${s.toFixed(2)} s, ${Math.round(Number(n) / s).toLocaleString()} rows/s, ${(got.bytes / 2 ** 20).toFixed(1)} MB of rows back to the client (${got.parts}); load ${os.loadavg()[0].toFixed(2)}`);
    }
  }
} finally {
  sh("stop", dir);
  rmSync(dir, { recursive: true, force: true });
}
