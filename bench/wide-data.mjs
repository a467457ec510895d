// Wide data through the data layer: collect, split and the feature check before training, for
// 1,000 to 10,000 columns × 100 rows. Reference in the same run: the feature check as it was (one
// SELECT with three filtered aggregates a column), which grows faster than linearly.
// Run: npm run build && node bench/wide-data.mjs [max columns, default 10000]
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Session } from "../dist/api/session.js";
import { checkFeatures } from "../dist/runtime/data/feature-check.js";

const max = Number(process.argv[2] ?? 10_000);
const dir = path.join(tmpdir(), `lathe-wide-${process.pid}`);
(await import("node:fs")).mkdirSync(dir, { recursive: true });
const rows = 100;
const widths = [1000, 2000, 5000, 10_000].filter((w) => w <= max);
const ms = (t) => performance.now() - t;

/** The check as it was before feature-check.ts: one SELECT, three FILTER aggregates per column. */
async function oldCheck(db, table, columns) {
  const q = (c) => `"${c}"`;
  const exprs = columns.map((c, i) => `count(*) - count(${q(c)}) AS m${i}, count(*) FILTER (WHERE NOT isfinite(TRY_CAST(${q(c)} AS DOUBLE))) AS f${i}, count(*) FILTER (WHERE ${q(c)} IS NOT NULL AND TRY_CAST(${q(c)} AS DOUBLE) IS NULL) AS t${i}`);
  await db.rows(`SELECT ${exprs.join(", ")} FROM ${table}`);
}

const out = [];
for (const width of widths) {
  const cols = Array.from({ length: width }, (_, j) => `c${j}`);
  const lines = [[...cols, "y"].join(",")];
  for (let i = 0; i < rows; i++) lines.push([...cols.map((_, j) => (((i * 31 + j * 17) % 97) / 7).toFixed(3)), i % 2].join(","));
  writeFileSync(path.join(dir, `w${width}.csv`), lines.join("\n") + "\n");
  const session = await Session.open({ baseDir: dir, record: false });
  let t = performance.now();
  const outcome = await session.run(`source d = read "w${width}.csv"\nsplit d into train 80%, test 20% seed 1`);
  if (!outcome.ok) throw new Error(outcome.error?.message ?? outcome.diagnostics.map((d) => d.message).join("; "));
  const load = ms(t);
  t = performance.now();
  await checkFeatures(session.executor.db, "train", "train", cols);
  const check = ms(t);
  let old = NaN;
  if (width <= 2000) {
    t = performance.now();
    await oldCheck(session.executor.db, "train", cols);
    old = ms(t);
  }
  session.close();
  out.push({ width, load, check, old });
  console.log(`${width} columns: check + collect + split ${(load / 1000).toFixed(2)} s, feature check ${(check / 1000).toFixed(2)} s (${((check / width) * 1000).toFixed(0)} µs a column), old feature check ${Number.isNaN(old) ? "-" : (old / 1000).toFixed(2) + " s"}`);
}
const [first, last] = [out[0], out[out.length - 1]];
console.log(`\n${last.width / first.width}× the columns: feature check ${(last.check / first.check).toFixed(1)}× the time, check + collect + split ${(last.load / first.load).toFixed(1)}×`);
if (out[1] && !Number.isNaN(out[1].old)) console.log(`old feature check, ${out[1].width / first.width}× the columns: ${(out[1].old / first.old).toFixed(1)}× the time`);
