// Benchmark: a 5M-row preparation pipeline through Lathe against the same pipeline hand-written in
// DuckDB SQL (and pandas, where Debian's python3-pandas is installed), in one run.
//
//   npm run build && node bench/prepare.mjs [--rows 5000000] [--repeat 3] [--skip-pandas]
//
// Data (generated here into a temp dir, CSV): 5% exact duplicate rows, 5% missing `amount` and `qty`,
// messy category strings ("  Red", "RED ", "red"), date strings kept as text. Steps: drop duplicates,
// median fill, trim + lower, parse dates, a derived column, one-hot, standard scale, write Parquet.
// Lathe: `Session.run` of a Lathe program (load, fit on the rows, materialise) then COPY to Parquet.
// Hand-written: what a DuckDB user would write: one deduplicated table, the constants, one COPY.
// pandas has no Parquet writer here (no pyarrow/fastparquet), so it writes CSV; the ratio says so.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Session } from "../dist/api/session.js";
import { dropStaged, fitAndCompile } from "../dist/runtime/data/chain.js";
import { Database } from "../dist/runtime/data/database.js";
import { planProgram } from "../dist/runtime/plan.js";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const ROWS = arg("rows", 5_000_000);
const REPEAT = arg("repeat", 3);
const PYTHON = "/usr/bin/python3";
const dir = mkdtempSync(join(tmpdir(), "lathe-bench-prepare-"));
const input = join(dir, "input.csv");

async function generate() {
  const db = await Database.open();
  const unique = Math.round(ROWS * 0.95);
  // Rows derive from hash(i) so values look random but the file is the same on every run.
  await db.exec(`COPY (
    WITH base AS (
      SELECT i AS id,
        CASE WHEN hash(i, 1) % 20 = 0 THEN NULL ELSE round((hash(i, 2) % 100000) / 100.0, 2) END AS amount,
        CASE WHEN hash(i, 3) % 20 = 0 THEN NULL ELSE 1 + hash(i, 4) % 9 END AS qty,
        ['  Red', 'RED ', 'red', 'Blue', ' blue ', 'BLUE', 'Green ', 'green', 'Yellow', ' yellow'][CAST(1 + hash(i, 5) % 10 AS BIGINT)] AS category,
        strftime(DATE '2020-01-01' + CAST(hash(i, 6) % 1500 AS INTEGER), '%Y-%m-%d') AS day
      FROM range(${unique}) r(i))
    SELECT * FROM base UNION ALL (SELECT * FROM base USING SAMPLE ${ROWS - unique} ROWS (reservoir, 7))
  ) TO '${input}' (HEADER)`);
  db.close();
}

const program = `
source raw = read "${input}" with { types: ["day varchar"] }
prepare clean = raw {
  drop duplicates
  fill amount, qty with median
  trim category
  lower category
  cast day as date
  derive amount_per_item = amount / qty
  onehot category
  scale amount, amount_per_item standard
}`;

/**
 * Lathe's compiled SQL, the way a batch job runs it: the program is parsed, checked and planned,
 * the prepare chain is fitted over the source (rows staged once where Lathe stages them) and the
 * compiled query is copied to Parquet.
 */
async function lathe(out) {
  const session = await Session.open({ record: false, baseDir: dir });
  try {
    const { checked } = await session.check(program);
    const plan = await planProgram(checked, dir);
    const load = plan.steps.find((s) => s.op === "load");
    const prep = plan.steps.find((s) => s.op === "prepare");
    const db = session.executor.db;
    const columns = checked.datasets.raw.schema.map((c) => c.name);
    const fitted = await fitAndCompile(db, load.sql, prep.steps, columns, { stageBase: true });
    await db.exec(`COPY (${fitted.chain.sql}) TO '${out}' (FORMAT parquet)`);
    await dropStaged(db, fitted);
  } finally {
    session.close();
  }
}

/** The interactive path: `Session.run` materialises every dataset as a table, then a COPY. */
async function latheSession(out) {
  const session = await Session.open({ record: false, baseDir: dir });
  try {
    const outcome = await session.run(program);
    if (!outcome.ok) throw new Error(outcome.error?.message ?? outcome.diagnostics.map((d) => d.message).join("\n"));
    await session.executor.db.exec(`COPY clean TO '${out}' (FORMAT parquet)`);
  } finally {
    session.close();
  }
}

async function handWritten(out) {
  const db = await Database.open();
  try {
    await db.exec(`CREATE TEMP TABLE d AS SELECT DISTINCT * FROM read_csv('${input}', types = {'day': 'VARCHAR'})`);
    const [m] = await db.rows(`SELECT median(amount) AS a, median(qty) AS q FROM d`);
    const cats = (await db.rows(`SELECT DISTINCT lower(trim(category)) AS c FROM d WHERE category IS NOT NULL ORDER BY c`)).map((r) => r.c);
    const perItem = `coalesce(amount, ${m.a}) / coalesce(qty, ${m.q})`;
    const [s] = await db.rows(`SELECT avg(coalesce(amount, ${m.a})) AS am, stddev_pop(coalesce(amount, ${m.a})) AS asd, avg(${perItem}) AS pm, stddev_pop(${perItem}) AS psd FROM d`);
    const onehot = cats.map((c) => `CAST(lower(trim(category)) = '${c}' AS DOUBLE) AS "category_${c}"`).join(", ");
    await db.exec(`COPY (
      SELECT id, (coalesce(amount, ${m.a}) - ${s.am}) / ${s.asd} AS amount, coalesce(qty, ${m.q}) AS qty, CAST(day AS DATE) AS day,
        (${perItem} - ${s.pm}) / ${s.psd} AS amount_per_item, ${onehot},
        CAST(lower(trim(category)) NOT IN (${cats.map((c) => `'${c}'`).join(", ")}) AS DOUBLE) AS category__other
      FROM d) TO '${out}' (FORMAT parquet)`);
  } finally {
    db.close();
  }
}

const pandasScript = `
import sys, time, pandas as pd
t0 = time.perf_counter()
d = pd.read_csv(sys.argv[1], dtype={"day": str})
d = d.drop_duplicates()
for c in ["amount", "qty"]:
    d[c] = d[c].fillna(d[c].median())
d["category"] = d["category"].str.strip().str.lower()
d["day"] = pd.to_datetime(d["day"], format="%Y-%m-%d")
d["amount_per_item"] = d["amount"] / d["qty"]
d = pd.get_dummies(d, columns=["category"], dtype=float)
for c in ["amount", "amount_per_item"]:
    d[c] = (d[c] - d[c].mean()) / d[c].std(ddof=0)
d.to_csv(sys.argv[2], index=False)
print(time.perf_counter() - t0)
`;

async function time(fn) {
  const t0 = performance.now();
  await fn();
  return (performance.now() - t0) / 1000;
}
const median = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

console.log(`generating ${ROWS.toLocaleString()} rows in ${dir}`);
await generate();
const check = await Database.open();
const outputs = { lathe: join(dir, "lathe.parquet"), hand: join(dir, "hand.parquet"), session: join(dir, "session.parquet") };
const times = { lathe: [], hand: [], session: [] };
// Alternate the two so neither always runs on a warmer page cache.
for (let r = 0; r < REPEAT; r++) {
  times.hand.push(await time(() => handWritten(outputs.hand)));
  times.lathe.push(await time(() => lathe(outputs.lathe)));
  if (r === 0) times.session.push(await time(() => latheSession(outputs.session)));
}
// The same rows out of all three: compare the sums of every output column (standardised columns
// sum to about 0, so the tolerance scales with the row count, for summation order).
const sums = async (f) => (await check.rows(`SELECT count(*) AS n, sum(amount) AS a, sum(qty) AS q, sum(amount_per_item) AS p, sum(category_red) AS red, sum(epoch(day)) AS days FROM '${f}'`))[0];
const [ls, hs, ss] = [await sums(outputs.lathe), await sums(outputs.hand), await sums(outputs.session)];
for (const [name, got] of [["lathe", ls], ["session", ss]]) {
  for (const k of Object.keys(hs)) {
    const tol = Math.max(1e-9 * Number(hs.n), 1e-9 * Math.abs(Number(hs[k])));
    if (Math.abs(Number(got[k]) - Number(hs[k])) > tol) throw new Error(`outputs differ in ${k}: ${name} ${got[k]} vs hand-written ${hs[k]}`);
  }
}
check.close();
const lt = median(times.lathe);
const ht = median(times.hand);
console.log(`rows out: ${ls.n.toLocaleString()} (same sums from both)`);
console.log(`hand-written DuckDB SQL: ${ht.toFixed(2)} s (median of ${REPEAT}: ${times.hand.map((t) => t.toFixed(2)).join(", ")})`);
console.log(`Lathe:                   ${lt.toFixed(2)} s (median of ${REPEAT}: ${times.lathe.map((t) => t.toFixed(2)).join(", ")})`);
// Each Lathe run follows its hand-written run, so their ratio shares the machine's load at that moment.
const pairs = times.lathe.map((l, i) => l / times.hand[i]);
console.log(`ratio Lathe / hand-written: ${(lt / ht).toFixed(3)}× of medians; median of paired runs ${median(pairs).toFixed(3)}× (${pairs.map((r) => r.toFixed(2)).join(", ")}); target ≤ 1.10×`);
console.log(`Lathe session.run (every dataset materialised) + COPY: ${times.session[0].toFixed(2)} s, ${(times.session[0] / ht).toFixed(2)}× hand-written`);
if (!process.argv.includes("--skip-pandas") && existsSync(PYTHON)) {
  try {
    const script = join(dir, "pipeline.py");
    writeFileSync(script, pandasScript);
    const pt = Number(execFileSync(PYTHON, [script, input, join(dir, "pandas.csv")], { encoding: "utf8", maxBuffer: 1 << 20 }).trim());
    console.log(`pandas (CSV out):        ${pt.toFixed(2)} s; pandas / Lathe: ${(pt / lt).toFixed(2)}×`);
  } catch (e) {
    console.log(`pandas: not run (${e.message.split("\n")[0]})`);
  }
}
rmSync(dir, { recursive: true, force: true });
