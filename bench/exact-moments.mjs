// Benchmark: the exact means and spreads a `scale … standard` learns (runtime/data/exact-moments.ts)
// against DuckDB's own avg + stddev_pop in one scan (the hand-written SQL), on one thread (what Lathe
// did before, to get the same bits every run) and on all threads (fastest, but its last bits vary).
//
//   npm run build && node bench/exact-moments.mjs [--rows 4750000] [--repeat 5]
//
// Two DOUBLE columns in a DuckDB table. Prints each side's median time, the ratios, and how many
// different results each gave over the repeats (exact sums: always 1).
import { Database } from "../dist/runtime/data/database.js";
import { exactMoments } from "../dist/runtime/data/exact-moments.js";
import { ident } from "../dist/runtime/sql/quote.js";

const arg = (name, fallback) => (process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : fallback);
const ROWS = arg("--rows", 4_750_000);
const REPEAT = arg("--repeat", 5);
const db = await Database.open();
await db.exec(`CREATE TABLE t AS SELECT round((hash(i, 2) % 100000) / 100.0, 2)::DOUBLE AS a, (hash(i, 3) % 1000) / 7.0 + i * 1e-3 AS b FROM range(${ROWS}) r(i)`);
const handSql = "SELECT avg(a)::DOUBLE AS ma, stddev_pop(a)::DOUBLE AS sa, avg(b)::DOUBLE AS mb, stddev_pop(b)::DOUBLE AS sb FROM t";
const sides = {
  "exact sums (Lathe), all threads": () => exactMoments((sql) => db.rows(sql), { engine: "duckdb", ident }, "t", ["a", "b"], true),
  "avg + stddev_pop, one thread": () => db.oneThread(() => db.rows(handSql)),
  "avg + stddev_pop, all threads": () => db.rows(handSql),
};
const times = Object.fromEntries(Object.keys(sides).map((k) => [k, []]));
const results = Object.fromEntries(Object.keys(sides).map((k) => [k, new Set()]));
for (let r = 0; r < REPEAT; r++) {
  // Alternate the order so no side always runs first.
  const order = r % 2 ? Object.keys(sides).reverse() : Object.keys(sides);
  for (const k of order) {
    const t = performance.now();
    const out = await sides[k]();
    times[k].push(performance.now() - t);
    results[k].add(JSON.stringify(out));
  }
}
const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
const exact = median(times["exact sums (Lathe), all threads"]);
console.log(`${ROWS.toLocaleString("en")} rows x 2 DOUBLE columns, ${REPEAT} repeats`);
for (const k of Object.keys(sides)) {
  console.log(`${k.padEnd(34)} ${median(times[k]).toFixed(0).padStart(5)} ms (${times[k].map((x) => x.toFixed(0)).join(", ")}); ${results[k].size} different result(s); exact / this ${(exact / median(times[k])).toFixed(2)}x`);
}
db.close();
