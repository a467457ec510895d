// Benchmark: flights-3m.parquet (3M rows) through a prepare and a split into typed arrays.
// Targets: under 3 s wall time and under 1.5 GB peak RSS.
//
//   npm run build && node bench/flights.mjs        (SPLIT="hash native" for DuckDB's own row hash)
//
// The time runs from opening the session to holding the training features and target as
// Float32Arrays; it includes parsing, checking, planning, fingerprinting the 13 MB file, loading,
// the prepare (fitted on the training part), the split and the columnar read. Peak RSS is sampled
// every 10 ms (DuckDB's memory is in the process). The reference is a plain DuckDB scan of the
// same file into the same arrays, in the same run.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Session } from "../dist/api/session.js";
import { Database } from "../dist/runtime/data/database.js";
import { readMatrix, readTarget } from "../dist/runtime/train-data.js";
import { flightsSteps } from "./flights-program.mjs";

const file = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../node_modules/vega-datasets/data/flights-3m.parquet");
const program = `
source flights = read "${file}"` + flightsSteps(process.env.SPLIT ?? "");

let peak = process.memoryUsage().rss;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);

const t0 = performance.now();
const session = await Session.open({ record: false });
const outcome = await session.run(program);
if (!outcome.ok) throw new Error(outcome.error?.message ?? outcome.diagnostics.map((d) => d.message).join("\n"));
const tRun = performance.now();
const ex = session.executor;
const train = ex.dataset("train");
const x = await readMatrix(ex.db, train, "train", ["distance", "hour", "weekday"]);
const { y } = await readTarget(ex.db, train, "train", "delay", "regression");
const t1 = performance.now();
const split = outcome.output.results.find((r) => r.kind === "split");
session.close();
clearInterval(sampler);
peak = Math.max(peak, process.memoryUsage().rss);

// Reference: the same columns straight from the file into Float32Arrays, no prepare or split.
const db = await Database.open();
const r0 = performance.now();
const ref = await db.float32Columns(`SELECT CAST(distance AS FLOAT), CAST(hour(date) AS FLOAT), CAST(dayofweek(date) AS FLOAT), CAST(delay AS FLOAT) FROM '${file}'`);
const r1 = performance.now();
db.close();

const s = (ms) => (ms / 1000).toFixed(2);
console.log(`parts: ${split.parts.map((p) => `${p.name} ${p.rows.toLocaleString()}`).join(", ")}`);
console.log(`train features: ${x.n.toLocaleString()} × ${x.columns.length} Float32Array columns; target ${y.length.toLocaleString()} values`);
console.log(`Lathe: ${s(t1 - t0)} s total (run ${s(tRun - t0)} s, read into typed arrays ${s(t1 - tRun)} s); target < 3 s`);
console.log(`peak RSS: ${(peak / 2 ** 20).toFixed(0)} MB; target < 1536 MB`);
console.log(`reference plain scan of all ${ref.n.toLocaleString()} rows into Float32Arrays: ${s(r1 - r0)} s; ratio ${((t1 - t0) / (r1 - r0)).toFixed(2)}×`);
