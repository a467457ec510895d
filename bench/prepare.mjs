// Benchmark: a 5M-row preparation pipeline through Lathe against the same pipeline hand-written in
// DuckDB SQL (and pandas, where Debian's python3-pandas is installed), in one run.
//
//   npm run build && node bench/prepare.mjs [--rows 5000000] [--repeat 3] [--skip-pandas] [--store] [--record] [--lathe ROOT] [--compare ROOT]
//
// Data (generated here into a temp dir, CSV): 5% exact duplicate rows, 5% missing `amount` and `qty`,
// messy category strings ("  Red", "RED ", "red"), date strings kept as text. Steps: drop duplicates,
// median fill, trim + lower, parse dates, a derived column, one-hot, standard scale, write Parquet.
// Lathe: the CLI process `lathe run --no-record prog.lathe` (the program ends with `save clean to
// "lathe.parquet"`), timed as a whole process. Hand-written: what a DuckDB user would write (one
// deduplicated table, the constants, one COPY), as a node script of its own on @duckdb/node-api with
// the same settings, timed as a whole process too. The two alternate; the ratio is the median of pairs.
// `--store`: the bench folder holds a run store (`.lathe/`), as a project does once it has recorded a
// run, so Lathe's first run remembers the input's sha256 there and the later ones do not hash it again.
// `--record`: Lathe's runs are recorded, as a plain `lathe run` in a project is (with `--no-cache`, so
// every run computes the steps and the step cache keeps the prepared rows as Parquet again); implies `--store`.
// `--compare ROOT`: another build's CLI timed in the same rounds as a third side (before/after on one
// input, the three in a rotating order); its system CPU and peak RSS are printed with the others'.
// pandas has no Parquet writer here (no pyarrow/fastparquet), so it writes CSV; the ratio says so.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Database } from "../dist/runtime/data/database.js";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const ROWS = arg("rows", 5_000_000);
const REPEAT = arg("repeat", 3);
const PYTHON = "/usr/bin/python3";
const dir = mkdtempSync(join(tmpdir(), "lathe-bench-prepare-"));
const input = join(dir, "input.csv");
const ROOT = fileURLToPath(new URL("..", import.meta.url));
// `--lathe ROOT`: time another build's CLI (a before/after against the same hand-written script).
const latheRoot = process.argv.indexOf("--lathe");
const LATHE = join(latheRoot >= 0 ? process.argv[latheRoot + 1] : ROOT, "bin/lathe.js");
const compareAt = process.argv.indexOf("--compare");
const COMPARE = compareAt >= 0 ? join(process.argv[compareAt + 1], "bin/lathe.js") : undefined;
const outputs = { lathe: join(dir, "lathe.parquet"), hand: join(dir, "hand.parquet") };

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
}
save clean to "lathe.parquet"
`;

// Each side's CPU time (user + sys, all threads) as well as its wall time, where GNU time is installed:
// on a shared machine the CPU a side spends moves far less with the load than its wall time.
const GNU_TIME = "/usr/bin/time";
const cpuFile = join(dir, "cpu.txt");
/**
 * The timed processes' environment: without the DUCKDB_JE_MALLOC_CONF this process's own Lathe modules
 * set (noted in LATHE_DUCKDB_JE_MALLOC_CONF, runtime/data/duckdb-allocator.ts) — inherited, it ran the
 * hand-written script with Lathe's allocator setting instead of DuckDB's, and told Lathe's CLI it was
 * the user's. A setting of the user's own is passed on.
 */
const childEnv = { ...process.env };
if (childEnv.DUCKDB_JE_MALLOC_CONF !== undefined && childEnv.DUCKDB_JE_MALLOC_CONF === childEnv.LATHE_DUCKDB_JE_MALLOC_CONF) {
  delete childEnv.DUCKDB_JE_MALLOC_CONF;
  delete childEnv.LATHE_DUCKDB_JE_MALLOC_CONF;
}

/** Runs a node process to its end; gives its CPU seconds (user + sys), system seconds and peak RSS (MB) when GNU time can measure them. */
function runNode(args, cwd) {
  const timed = existsSync(GNU_TIME);
  const [cmd, argv] = timed ? [GNU_TIME, ["-f", "%U %S %M", "-o", cpuFile, process.execPath, ...args]] : [process.execPath, args];
  execFileSync(cmd, argv, { cwd, env: childEnv, stdio: ["ignore", "ignore", "inherit"] });
  if (!timed) return { cpu: NaN, sys: NaN, rss: NaN };
  const [user, sys, kb] = readFileSync(cpuFile, "utf8").trim().split(/\s+/).map(Number);
  return { cpu: user + sys, sys, rss: kb / 1024 };
}

const RECORD = process.argv.includes("--record");
/** Lathe as a user runs it: `lathe run --no-record prog.lathe` (recorded: `lathe run --no-cache`), the whole process. */
function lathe(cli = LATHE) {
  return runNode([cli, "run", RECORD ? "--no-cache" : "--no-record", join(dir, "prog.lathe")], dir);
}

/**
 * What a DuckDB user would write: one deduplicated table, the constants, one COPY, in a node
 * process of its own on @duckdb/node-api with Lathe's settings (threads = the machine's cores).
 */
const handScript = `
import { DuckDBInstance } from "@duckdb/node-api";
import { availableParallelism } from "node:os";
const [input, out] = process.argv.slice(2);
const instance = await DuckDBInstance.create(":memory:", { threads: String(availableParallelism()), ...(process.env.LATHE_MEMORY_LIMIT ? { memory_limit: process.env.LATHE_MEMORY_LIMIT } : {}) });
const db = await instance.connect();
const rows = async (sql) => (await db.runAndReadAll(sql)).getRowObjectsJS();
await db.run(\`CREATE TEMP TABLE d AS SELECT DISTINCT * FROM read_csv('\${input}', types = {'day': 'VARCHAR'})\`);
const [m] = await rows(\`SELECT median(amount) AS a, median(qty) AS q FROM d\`);
const cats = (await rows(\`SELECT DISTINCT lower(trim(category)) AS c FROM d WHERE category IS NOT NULL ORDER BY c\`)).map((r) => r.c);
const perItem = \`coalesce(amount, \${m.a}) / coalesce(qty, \${m.q})\`;
const [s] = await rows(\`SELECT avg(coalesce(amount, \${m.a})) AS am, stddev_pop(coalesce(amount, \${m.a})) AS asd, avg(\${perItem}) AS pm, stddev_pop(\${perItem}) AS psd FROM d\`);
const onehot = cats.map((c) => \`CAST(lower(trim(category)) = '\${c}' AS DOUBLE) AS "category_\${c}"\`).join(", ");
await db.run(\`COPY (
  SELECT id, (coalesce(amount, \${m.a}) - \${s.am}) / \${s.asd} AS amount, coalesce(qty, \${m.q}) AS qty, CAST(day AS DATE) AS day,
    (\${perItem} - \${s.pm}) / \${s.psd} AS amount_per_item, \${onehot},
    CAST(lower(trim(category)) NOT IN (\${cats.map((c) => \`'\${c}'\`).join(", ")}) AS DOUBLE) AS category__other
  FROM d) TO '\${out}' (FORMAT parquet)\`);
`;

function handWritten() {
  return runNode([join(dir, "hand.mjs"), input, outputs.hand], ROOT);
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

/** Wall seconds of `fn`, and the CPU seconds (and system seconds, peak RSS) it reports. */
function time(fn) {
  const t0 = performance.now();
  const usage = fn();
  return [(performance.now() - t0) / 1000, usage];
}
const median = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
console.log(`generating ${ROWS.toLocaleString()} rows in ${dir}`);
await generate();
writeFileSync(join(dir, "prog.lathe"), program);
if (process.argv.includes("--store") || RECORD) mkdirSync(join(dir, ".lathe"));
// The script imports @duckdb/node-api, resolved from this repository's node_modules.
writeFileSync(join(dir, "hand.mjs"), handScript.replace('from "@duckdb/node-api"', `from ${JSON.stringify(new URL("../node_modules/@duckdb/node-api/lib/index.js", import.meta.url).href)}`));
const times = { lathe: [], hand: [], compare: [] };
const cpus = { lathe: [], hand: [], compare: [] };
const usages = { lathe: [], hand: [], compare: [] };
const loads = [];
const run = { hand: handWritten, lathe: () => lathe(), compare: () => lathe(COMPARE) };
// Alternate the sides, each round starting with another, so none always runs on a warmer page cache.
for (let r = 0; r < REPEAT; r++) {
  loads.push(loadavg()[0]);
  const all = COMPARE ? ["hand", "lathe", "compare"] : ["hand", "lathe"];
  const sides = all.map((_, i) => all[(i + r) % all.length]);
  for (const side of sides) {
    const [wall, usage] = time(run[side]);
    times[side].push(wall);
    cpus[side].push(usage.cpu);
    usages[side].push(usage);
  }
}
// The same rows out of both: every column of each row (standardised values to 1e-9, for summation order).
const check = await Database.open();
const cols = (await check.describe(`SELECT * FROM '${outputs.hand}'`)).map((c) => c.name);
const latheCols = (await check.describe(`SELECT * FROM '${outputs.lathe}'`)).map((c) => c.name);
if ([...cols].sort().join() !== [...latheCols].sort().join()) throw new Error(`columns differ: lathe ${latheCols} vs hand-written ${cols}`);
// Duplicates are whole rows, so after de-duplication `id` names one row: join on it.
const same = cols.filter((c) => c !== "id").map((c) => (/^(amount|amount_per_item)$/.test(c) ? `abs(h."${c}" - l."${c}") <= 1e-9` : `h."${c}" IS NOT DISTINCT FROM l."${c}"`)).join(" AND ");
const [{ n, ln, matched }] = await check.rows(`SELECT (SELECT count(*) FROM '${outputs.hand}') AS n, (SELECT count(*) FROM '${outputs.lathe}') AS ln,
  (SELECT count(*) FROM '${outputs.hand}' h JOIN '${outputs.lathe}' l USING (id) WHERE ${same}) AS matched`);
check.close();
if (Number(n) !== Number(ln) || Number(matched) !== Number(n)) throw new Error(`outputs differ: ${n} rows hand-written, ${ln} from Lathe, ${matched} alike`);
const lt = median(times.lathe);
const ht = median(times.hand);
const pairs = times.lathe.map((l, i) => l / times.hand[i]);
console.log(`rows out: ${Number(n).toLocaleString()}, the same rows in both outputs`);
console.log(`load average (1 min) at each pair: ${loads.map((l) => l.toFixed(1)).join(", ")}`);
console.log(`hand-written DuckDB SQL (node process): ${ht.toFixed(2)} s (median of ${REPEAT}: ${times.hand.map((t) => t.toFixed(2)).join(", ")})`);
console.log(`lathe run ${RECORD ? "(recorded)" : "--no-record"}:${RECORD ? "   " : ""}               ${lt.toFixed(2)} s (median of ${REPEAT}: ${times.lathe.map((t) => t.toFixed(2)).join(", ")})`);
console.log(`ratio lathe run / hand-written: median of paired runs ${median(pairs).toFixed(3)}× (${pairs.map((r) => r.toFixed(2)).join(", ")}); ${(lt / ht).toFixed(3)}× of medians; target ≤ 1.10×`);
if (cpus.lathe.every(Number.isFinite)) {
  const cpuPairs = cpus.lathe.map((l, i) => l / cpus.hand[i]);
  console.log(`CPU (user + sys): hand-written ${cpus.hand.map((t) => t.toFixed(2)).join(", ")} s; lathe run ${cpus.lathe.map((t) => t.toFixed(2)).join(", ")} s; median of paired ratios ${median(cpuPairs).toFixed(3)}×`);
  const detail = (side) => `sys ${usages[side].map((u) => u.sys.toFixed(2)).join(", ")} s, peak RSS ${usages[side].map((u) => u.rss.toFixed(0)).join(", ")} MB`;
  console.log(`hand-written: ${detail("hand")}; lathe run: ${detail("lathe")}`);
  if (COMPARE) {
    const comparePairs = cpus.compare.map((l, i) => l / cpus.hand[i]);
    console.log(`--compare ${process.argv[compareAt + 1]}: wall ${times.compare.map((t) => t.toFixed(2)).join(", ")} s; CPU ${cpus.compare.map((t) => t.toFixed(2)).join(", ")} s, median of paired CPU ratios ${median(comparePairs).toFixed(3)}×; ${detail("compare")}`);
  }
}
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
