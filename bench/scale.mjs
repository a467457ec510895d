// Benchmark: learners at scale through `lathe run` (the path a user runs) against scikit-learn, one
// process per side and model: fit time, whole-process wall time and peak RSS (/usr/bin/time), ratios.
//
//   npm run build && node bench/scale.mjs [--case 5m|200k|ooc|all] [--rows N] [--cap 128MB] [--train-memory 8MB] [--models logistic,svm,linear,tree,forest,mlp,gbm] [--repeat N] [--compare ROOT]
//
// --compare ROOT: another build's CLI (a before/after) runs the same program in every pair, right
// before or after this one's (alternating); its fit, peak RSS and score are printed with the pair.
//
// --repeat N: N pairs per model, the two sides alternating (Lathe, sklearn, Lathe, ...), each pair a
// row, then the median of the pairs' fit ratios: on a shared machine the load moves between runs.
//
// Cases (data generated here into a temp dir):
// - `5m`: a 5,000,000-row CSV, 7 columns (x1..x5 numeric, x1 and x2 5% missing; cat, 3 values; label,
//   3 classes drawn from a multinomial logit of the features). Program: `fill x1, x2 with median`,
//   `onehot cat`, `split 70/15/15 seed 42`, a model on the training part (3.5M × 9), evaluate on test;
//   for linear_regression the same rows predicting x3 from the others (`label` one-hot too, 3.5M × 12).
// - `200k`: scikit-learn's make_classification(200000, 20, n_informative=10, n_redundant=5,
//   random_state=42) and make_regression(200000, 20, noise=10, random_state=42); split 70/15/15.
// Both sides train and test on the same rows: the bench computes Lathe's split (the seeded row hash
// of runtime/data/split.ts) in DuckDB and hands python each row's part; the bench checks the sizes.
// scikit-learn's side does what the Lathe program does (read the CSV with pandas, fill with the
// training median, one-hot, StandardScaler where the learner standardises, fit, score the test part).
// Fit time: Lathe's is the train step as `lathe run` reports it (reading the features from DuckDB into
// typed arrays, standardising, fitting); scikit-learn's is its `fit` (scaler included), timed inside python.
//
// The MLP runs a fixed number of epochs on both sides (early stopping off, sklearn's tol rule
// disabled) so per-fit and per-epoch times compare the same work. Gradient boosting runs with both
// sides' default threads (Lathe's histogram threads, sklearn's OpenMP: 2 here) and again with one
// thread each (Lathe `workers: 1`, sklearn under threadpool_limits(1, "openmp")).
// - `ooc`: larger than memory. The `5m` CSV (--rows to size it), the same program, run twice by Lathe
//   alone: capped (LATHE_MEMORY_LIMIT=128MB or --cap, so a 64 MB training budget, docs/larger-than-memory.md;
//   V8 heap --max-old-space-size=256; DuckDB spilling to the temp dir) and uncapped; time, peak RSS,
//   and whether the train step streamed. No scikit-learn side: its in-memory fit is the `5m` case.
//   `--train-memory` sets the capped run's training budget (LATHE_TRAIN_MEMORY) below half the cap,
//   so fewer rows than DuckDB's CSV reader needs memory for can still be several times the budget.
//   Not part of `all`.
//
// To add a learner, add a row to MODELS: its Lathe algorithm and options, the scikit-learn estimator,
// the cases it runs on.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Database } from "../dist/runtime/data/database.js";
import { partColumn, splitSql } from "../dist/runtime/data/split.js";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const ROWS = Number(arg("rows", 5_000_000));
const CASE = arg("case", "all");
const REPEAT = Math.max(1, Number(arg("repeat", 1)));
const ONLY = arg("models", "")
  .split(",")
  .filter(Boolean);
const PYTHON = "/usr/bin/python3";
const LATHE = fileURLToPath(new URL("../bin/lathe.js", import.meta.url));
const COMPARE = arg("compare", "") ? join(arg("compare", ""), "bin/lathe.js") : undefined;
const dir = mkdtempSync(join(tmpdir(), "lathe-bench-scale-"));

/**
 * The learners compared: Lathe's algorithm and options, scikit-learn's estimator (a python
 * expression; `scale` puts a StandardScaler before it, as the Lathe learner standardises inside),
 * the task and the cases each runs on.
 */
/** Whether `--models` entry `o` picks the model: its name, its key (both gbm rows share "gbm"), else the first word of its name. */
const selects = (o, model) => model.name === o || (model.key ?? model.name.split(" ")[0]) === o;

/** Epochs of the MLP per case (fixed on both sides). */
const MLP_EPOCHS = { "5m": 3, "200k": 10, ooc: 3 };

const MODELS = [
  { name: "logistic", task: "classification", algorithm: "logistic_regression", sklearn: "LogisticRegression()", scale: true, cases: ["5m", "200k", "ooc"] },
  // dual=False: liblinear's primal solver, the one for n ≫ d (the default dual solver stops at max_iter 1000 here, 80–160 s).
  { name: "linear svm", key: "svm", task: "classification", algorithm: "svm", sklearn: "LinearSVC(dual=False)", scale: true, cases: ["5m", "200k"] },
  { name: "linear", task: "regression", algorithm: "linear_regression", sklearn: "LinearRegression()", scale: false, cases: ["5m", "200k"] },
  { name: "tree", task: "classification", algorithm: "decision_tree", sklearn: "DecisionTreeClassifier(random_state=0)", scale: false, cases: ["5m", "ooc"] },
  {
    name: "forest (10 trees)",
    task: "classification",
    algorithm: "random_forest",
    options: "trees: 10",
    sklearn: "RandomForestClassifier(n_estimators=10, n_jobs=2, random_state=0)",
    scale: false,
    cases: ["5m", "ooc"],
  },
  // Same layers, batch and epochs each side; sklearn's stopping rule switched off so both run every epoch.
  {
    name: "mlp",
    task: "classification",
    algorithm: "neural_network",
    epochs: MLP_EPOCHS,
    options: (c) => `layers: [64, 32]; batch_size: 200; epochs: ${MLP_EPOCHS[c]}; early_stopping: false`,
    sklearn: (c) => `MLPClassifier((64, 32), batch_size=200, max_iter=${MLP_EPOCHS[c]}, tol=0, n_iter_no_change=10**9, random_state=0)`,
    scale: true,
    cases: ["5m", "200k", "ooc"],
  },
  ...["classification", "regression"].flatMap((task) =>
    [0, 1].map((threads) => ({
      name: `gbm${threads ? " 1 thread" : ""}`,
      key: "gbm",
      task,
      algorithm: "gradient_boosting",
      options: threads ? "workers: 1" : undefined,
      sklearn: task === "classification" ? "HistGradientBoostingClassifier(random_state=0)" : "HistGradientBoostingRegressor(random_state=0)",
      ompThreads: threads,
      scale: false,
      // Larger than memory too (default threads, classification: the ooc data's task). Regression at
      // 200k only: the 5m case's regression set is there for the linear model.
      cases: task === "regression" ? ["200k"] : threads ? ["5m", "200k"] : ["5m", "200k", "ooc"],
    })),
  ),
];

/** The capped run of the `ooc` case: DuckDB's cap (the training budget is half of it) and the V8 heap's. */
const OOC_CAP = { env: { LATHE_MEMORY_LIMIT: arg("cap", "128MB"), ...(arg("train-memory") ? { LATHE_TRAIN_MEMORY: arg("train-memory") } : {}) }, node: ["--max-old-space-size=256"] };

/** The 5M-row CSV, generated by DuckDB from hash(i, k) so every run writes the same file. */
async function generate5m(file) {
  const u = (k) => `((hash(i, ${k}) % 1000000) + 0.5) / 1000000.0`;
  const g = (k) => `sqrt(-2 * ln(${u(k)})) * cos(2 * pi() * ${u(k + 100)})`;
  const gumbel = (k) => `(-ln(-ln(${u(k)})))`;
  const db = await Database.open();
  await db.exec(`COPY (
    WITH b AS (SELECT i, ${[1, 2, 3, 4, 5].map((k) => `${g(k)} AS g${k}`).join(", ")}, ['north', 'south', 'east'][CAST(1 + hash(i, 11) % 3 AS BIGINT)] AS cat FROM range(${ROWS}) r(i)),
    s AS (SELECT *,
      0.9 * g1 - 0.6 * g2 + 0.3 * g3 + CASE cat WHEN 'north' THEN 0.6 ELSE 0 END + ${gumbel(21)} AS sa,
      -0.4 * g1 + 0.8 * g2 - 0.5 * g4 + CASE cat WHEN 'south' THEN 0.5 ELSE 0 END + ${gumbel(22)} AS sb,
      0.3 * g3 + 0.7 * g4 - 0.6 * g5 + ${gumbel(23)} AS sc FROM b)
    SELECT CASE WHEN hash(i, 31) % 20 = 0 THEN NULL ELSE round(10 + 3 * g1, 4) END AS x1,
      CASE WHEN hash(i, 32) % 20 = 0 THEN NULL ELSE round(100 * g2, 3) END AS x2,
      round(g3, 5) AS x3, round(0.5 * g4 - 2, 5) AS x4, round(exp(0.3 * g5), 5) AS x5, cat,
      CASE WHEN sa >= sb AND sa >= sc THEN 'a' WHEN sb >= sc THEN 'b' ELSE 'c' END AS label
    FROM s
  ) TO '${file}' (HEADER)`);
  db.close();
}

/** The 200k sets, written by scikit-learn's own generators. */
function generate200k(classFile, regFile) {
  execFileSync(PYTHON, ["-c", `
import numpy as np, pandas as pd
from sklearn.datasets import make_classification, make_regression
X, y = make_classification(n_samples=200000, n_features=20, n_informative=10, n_redundant=5, random_state=42)
d = pd.DataFrame(X, columns=[f"f{j}" for j in range(20)]); d["label"] = np.where(y == 1, "yes", "no"); d.to_csv("${classFile}", index=False)
X, y = make_regression(n_samples=200000, n_features=20, n_informative=10, noise=10, random_state=42)
d = pd.DataFrame(X, columns=[f"f{j}" for j in range(20)]); d["target"] = y; d.to_csv("${regFile}", index=False)
`]);
}

/**
 * Each row's part (0 train, 1 validation, 2 test) in file order, as Lathe's seeded split assigns it:
 * Lathe's own split SQL (`splitSql`, the portable row hash by default) over the CSV's columns, which a
 * plain split computes row by row, so a scan keeps file order.
 */
async function parts(csv, file) {
  const db = await Database.open();
  const typed = await db.describe(`SELECT * FROM read_csv('${csv}')`);
  const spec = { parts: [{ name: "train", fraction: 0.7 }, { name: "validation", fraction: 0.15 }, { name: "test", fraction: 0.15 }], seed: 42 };
  const assigned = `(${splitSql(`read_csv('${csv}')`, typed, spec)})`;
  const part = `CASE "${partColumn}" WHEN 'train' THEN 0 WHEN 'validation' THEN 1 ELSE 2 END`;
  await db.exec(`COPY (SELECT ${part} AS part FROM ${assigned}) TO '${file}' (HEADER false)`);
  const [{ train }] = await db.rows(`SELECT count(*) FILTER (WHERE "${partColumn}" = 'train') AS train FROM ${assigned}`);
  db.close();
  return Number(train);
}

/** Runs a command under /usr/bin/time: its output, wall seconds and peak RSS in MB. */
function timed(cmd, args, env = {}) {
  const r = spawnSync("/usr/bin/time", ["-f", "%e %M", cmd, ...args], { encoding: "utf8", cwd: dir, env: { ...process.env, ...env }, maxBuffer: 1 << 26 });
  const last = r.stderr.trim().split("\n").pop();
  const [wall, kb] = last.split(" ").map(Number);
  if (r.status !== 0) throw new Error(`${cmd} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return { out: r.stdout, err: r.stderr, wall, rssMb: kb / 1024 };
}

/** A model's Lathe options or sklearn estimator for a case (a string, or a function of the case). */
const forCase = (v, data) => (typeof v === "function" ? v(data.case) : v);

function lathe(model, data, cap = { env: {}, node: [] }, cli = LATHE) {
  const metric = model.task === "classification" ? "accuracy" : "r2";
  const program = `
source raw = read "${data.csv}"
${data.prepare ? `prepare clean = raw {\n  ${data.prepare}\n}` : ""}
split ${data.prepare ? "clean" : "raw"} into train 70%, validation 15%, test 15% seed 42
model m = ${model.algorithm} predicting ${data.target} from train${model.options ? ` { ${forCase(model.options, data)} }` : ""}
evaluate m on test metrics ${metric}
`;
  const file = join(dir, "bench.lathe");
  writeFileSync(file, program);
  const r = timed(process.execPath, [...cap.node, cli, "run", "--no-record", file], { LATHE_TEMP_DIR: join(dir, "spill"), ...cap.env });
  // The last line of the step: a progress bar may come before it.
  const train = r.out.split("\n").findLast((l) => l.includes("train m (") && / ms\)\s*$/.test(l));
  const fitMs = Number(/\((\d+) ms\)\s*$/.exec(train)[1]);
  const rows = Number(/: (\d+) rows/.exec(train)[1]);
  const evalLine = r.out.split("\n").find((l) => l.includes("evaluate m"));
  const score = Number(new RegExp(`${metric}[ =:]+(-?[0-9.]+)`).exec(evalLine)?.[1]);
  return { fit: fitMs / 1000, wall: r.wall, rssMb: r.rssMb, rows, score, streamed: /, streamed/.test(train) };
}

function sklearn(model, data) {
  const script = `
import sys, time, json, numpy as np, pandas as pd
from threadpoolctl import threadpool_info, threadpool_limits
from contextlib import nullcontext
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.linear_model import LogisticRegression, LinearRegression
from sklearn.svm import LinearSVC
from sklearn.tree import DecisionTreeClassifier
from sklearn.ensemble import RandomForestClassifier, HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.metrics import accuracy_score, r2_score
d = pd.read_csv(${JSON.stringify(data.csv)})
part = pd.read_csv(${JSON.stringify(data.parts)}, header=None)[0].to_numpy()
train, test = d[part == 0], d[part == 2]
del d
y, yt = train.pop(${JSON.stringify(data.target)}).to_numpy(), test.pop(${JSON.stringify(data.target)}).to_numpy()
for c in ${JSON.stringify(data.fill ?? [])}:
    med = train[c].median(); train[c] = train[c].fillna(med); test[c] = test[c].fillna(med)
cats = ${JSON.stringify(data.onehot ?? [])}
if cats:
    train = pd.get_dummies(train, columns=cats, dtype=float); test = pd.get_dummies(test, columns=cats, dtype=float).reindex(columns=train.columns, fill_value=0)
X, Xt = train.to_numpy(dtype=np.float64), test.to_numpy(dtype=np.float64)
del train, test
est = ${forCase(model.sklearn, data)}
if ${model.scale ? "True" : "False"}: est = make_pipeline(StandardScaler(), est)
limit = ${model.ompThreads ?? 0}
with (threadpool_limits(limits=limit, user_api="openmp") if limit else nullcontext()):
    t0 = time.perf_counter()
    est.fit(X, y)
    fit = time.perf_counter() - t0
p = est.predict(Xt)
score = accuracy_score(yt, p) if ${JSON.stringify(model.task)} == "classification" else r2_score(yt, p)
last = est[-1] if hasattr(est, "steps") else est
iters = getattr(last, "n_iter_", None)
print(json.dumps({"fit": fit, "score": float(score), "rows": int(len(y)), "iters": int(np.max(iters)) if iters is not None else None,
  "threads": {i["internal_api"]: (limit if limit and i["user_api"] == "openmp" else i["num_threads"]) for i in threadpool_info()}}))
`;
  const file = join(dir, "bench.py");
  writeFileSync(file, script);
  const r = timed(PYTHON, [file]);
  return { ...JSON.parse(r.out.trim().split("\n").pop()), wall: r.wall, rssMb: r.rssMb };
}

const fmt = (x, d = 2) => x.toFixed(d);
const rows = [];
const oocRows = [];
try {
  const datasets = [];
  if (CASE === "all" || CASE === "5m") {
    const csv = join(dir, "scale-5m.csv");
    await generate5m(csv);
    datasets.push({ case: "5m", label: `${(ROWS / 1e6).toFixed(ROWS % 1e6 ? 1 : 0)}M × 7 (3.5M × 9 trained)`, csv, target: "label", prepare: "fill x1, x2 with median\n  onehot cat", fill: ["x1", "x2"], onehot: ["cat"], task: "classification" });
    // The same rows as a regression (linear_regression at millions of rows): x3 from the others, the
    // class label one-hot as a feature (x3 enters the label's logits, so R² is well above 0).
    datasets.push({ case: "5m", label: `${(ROWS / 1e6).toFixed(ROWS % 1e6 ? 1 : 0)}M × 7 (R², x3 from the rest)`, csv, target: "x3", prepare: "fill x1, x2 with median\n  onehot cat, label", fill: ["x1", "x2"], onehot: ["cat", "label"], task: "regression" });
  }
  if (CASE === "all" || CASE === "200k") {
    const cls = join(dir, "class-200k.csv");
    const reg = join(dir, "reg-200k.csv");
    generate200k(cls, reg);
    datasets.push({ case: "200k", label: "200k × 20 (accuracy)", csv: cls, target: "label", task: "classification" });
    datasets.push({ case: "200k", label: "200k × 20 (R²)", csv: reg, target: "target", task: "regression" });
  }
  if (CASE === "ooc") {
    const csv = join(dir, "scale-ooc.csv");
    await generate5m(csv);
    datasets.push({ case: "ooc", label: `${(ROWS / 1e6).toFixed(ROWS % 1e6 ? 1 : 0)}M × 7`, csv, target: "label", prepare: "fill x1, x2 with median\n  onehot cat", task: "classification" });
  }
  for (const data of datasets) {
    data.parts = join(dir, `${data.case}-${data.task}-parts.csv`);
    data.trainRows = await parts(data.csv, data.parts);
    for (const model of MODELS) {
      if (!model.cases.includes(data.case) || model.task !== data.task) continue;
      if (ONLY.length && !ONLY.some((o) => selects(o, model))) continue;
      if (data.case === "ooc") {
        const load = loadavg()[0];
        // Capped first, then uncapped; the same program and data.
        const capped = lathe(model, data, OOC_CAP);
        const free = lathe(model, data);
        const row = { data: data.label, model: model.name, capped, free, load };
        oocRows.push(row);
        console.log(JSON.stringify(row));
        continue;
      }
      for (let pair = 1; pair <= REPEAT; pair++) {
        const load = loadavg()[0];
        const other = () => (COMPARE ? lathe(model, data, undefined, COMPARE) : undefined);
        const c0 = pair % 2 === 0 ? other() : undefined;
        const l = lathe(model, data);
        const c = c0 ?? other();
        const s = sklearn(model, data);
        if (l.rows !== data.trainRows || s.rows !== data.trainRows) console.warn(`! training rows differ: Lathe ${l.rows}, sklearn ${s.rows}, split ${data.trainRows}`);
        const row = { data: data.label, model: REPEAT > 1 ? `${model.name} (pair ${pair})` : model.name, l, s, c, load, epochs: model.epochs?.[data.case] };
        rows.push(row);
        console.log(JSON.stringify(row));
      }
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

console.log(`\n${new Date().toISOString()}, node ${process.version}, ${cpus().length} cores, load average ${loadavg().map((x) => x.toFixed(1)).join(" ")}`);
if (oocRows.length) {
  console.log(`| data | model | capped: streamed? | fit | wall | peak RSS | score | uncapped: streamed? | fit | wall | peak RSS | score | load |`);
  console.log("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
  const side = (r) => `${r.streamed ? "streamed" : "in memory"} | ${fmt(r.fit)} s | ${fmt(r.wall, 1)} s | ${Math.round(r.rssMb)} MB | ${fmt(r.score, 4)}`;
  for (const { data, model, capped, free, load } of oocRows) console.log(`| ${data} | ${model} | ${side(capped)} | ${side(free)} | ${fmt(load, 1)} |`);
}
if (rows.length) {
  console.log("| data | model | score Lathe | score sklearn | Δ points | fit Lathe | fit sklearn | fit ratio | per epoch Lathe / sklearn | wall Lathe | wall sklearn | peak RSS Lathe | peak RSS sklearn | RSS ratio | sklearn iters | sklearn threads | load |");
  console.log("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
}
for (const { data, model, l, s, load, epochs } of rows) {
  const perEpoch = epochs ? `${fmt((l.fit / epochs) * 1000, 0)} / ${fmt((s.fit / (s.iters ?? epochs)) * 1000, 0)} ms` : "—";
  const threads = Object.entries(s.threads).map(([k, v]) => `${k} ${v}`).join(", ");
  console.log(
    `| ${data} | ${model} | ${fmt(l.score, 4)} | ${fmt(s.score, 4)} | ${fmt((l.score - s.score) * 100)} | ${fmt(l.fit)} s | ${fmt(s.fit)} s | **${fmt(l.fit / s.fit)}×** | ${perEpoch} | ${fmt(l.wall, 1)} s | ${fmt(s.wall, 1)} s | ${Math.round(l.rssMb)} MB | ${Math.round(s.rssMb)} MB | ${fmt(l.rssMb / s.rssMb)}× | ${s.iters ?? "—"} | ${threads} | ${fmt(load, 1)} |`,
  );
}
if (REPEAT > 1) {
  // Median fit ratio and per-side medians of each model's pairs.
  const median = (xs) => {
    const o = [...xs].sort((a, b) => a - b);
    return (o[Math.floor((o.length - 1) / 2)] + o[Math.ceil((o.length - 1) / 2)]) / 2;
  };
  const byModel = new Map();
  for (const r of rows) {
    const key = `${r.data} | ${r.model.replace(/ \(pair \d+\)$/, "")}`;
    byModel.set(key, [...(byModel.get(key) ?? []), r]);
  }
  console.log(`\n| data | model | pairs | median fit Lathe | median fit sklearn | median fit ratio | ratios | median peak RSS Lathe / sklearn |${COMPARE ? " --compare: median fit, peak RSS each pair |" : ""} load range |`);
  console.log(`|---|---|---|---|---|---|---|---|${COMPARE ? "---|" : ""}---|`);
  for (const [key, rs] of byModel) {
    const ratios = rs.map((r) => r.l.fit / r.s.fit);
    const loads = rs.map((r) => r.load);
    console.log(
      `| ${key} | ${rs.length} | ${fmt(median(rs.map((r) => r.l.fit)))} s | ${fmt(median(rs.map((r) => r.s.fit)))} s | **${fmt(median(ratios))}×** | ${ratios.map((x) => fmt(x)).join(", ")} | ${Math.round(median(rs.map((r) => r.l.rssMb)))} / ${Math.round(median(rs.map((r) => r.s.rssMb)))} MB (each: ${rs.map((r) => Math.round(r.l.rssMb)).join(", ")} / ${rs.map((r) => Math.round(r.s.rssMb)).join(", ")}) |${COMPARE ? ` ${fmt(median(rs.map((r) => r.c.fit)))} s, ${rs.map((r) => Math.round(r.c.rssMb)).join(", ")} MB |` : ""} ${fmt(Math.min(...loads), 1)}–${fmt(Math.max(...loads), 1)} |`,
    );
  }
}
