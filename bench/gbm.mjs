// Benchmark: Lathe's gradient_boosting against scikit-learn's HistGradientBoostingClassifier /
// HistGradientBoostingRegressor, both with their defaults, on the same rows.
//
//   npm run build && node bench/gbm.mjs [--skip-large] [--reps N] [--sets a,b] [--one-thread]
//
// --sets picks data sets by name (breast_cancer, digits, synthetic_200k, regression_200k);
// --one-thread times only the one-thread configurations (each side's default threads, sklearn's
// OpenMP on a loaded machine, can take minutes).
//
// Data: sklearn's bundled breast_cancer and digits, make_classification(200000×20, n_informative=10,
// n_redundant=5, random_state=42) and make_regression(200000×20, n_informative=10, noise=10,
// random_state=42), dumped by /usr/bin/python3 into a temp dir. Node draws one seeded 70/15/15
// split per data set (stratified for classes) and hands the indices to python: both sides train on
// the same 70% and score the same 15% test part (the middle 15% is unused: with early stopping on,
// above 10,000 rows, each side holds out its own 10% of the training rows, as sklearn does).
//
// Fit times are the best of N (default 3) fits per configuration (fewer once one has taken 20 s), measured inside python for
// sklearn and around `train` (binning and worker start-up included) for Lathe, configurations
// alternating so both see the same machine load. sklearn's HistGradientBoosting runs on OpenMP:
// timed with its default thread count (reported, from threadpoolctl) and limited to one thread;
// Lathe with `workers: 0` (its default: histogram threads on large data) and `workers: 1`.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { gradientBoosting } from "../dist/runtime/models/trees/gradient-boosting.js";
import { seededSplit } from "./seeded-split.mjs";

const PYTHON = "/usr/bin/python3";
const SEED = 42;
const dir = mkdtempSync(join(tmpdir(), "lathe-bench-gbm-"));
const setsAt = process.argv.indexOf("--sets");
const SETS = setsAt > 0 ? process.argv[setsAt + 1].split(",") : undefined;
const skipLarge = process.argv.includes("--skip-large") || (SETS !== undefined && !SETS.some((s) => s.endsWith("_200k")));
const ONE_THREAD = process.argv.includes("--one-thread");
const repsAt = process.argv.indexOf("--reps");
const REPS = repsAt > 0 ? Number(process.argv[repsAt + 1]) : 3;
/** Seconds of fitting after which a configuration is not repeated. */
const BUDGET_S = 20;

const dump = `
import json, sys, numpy as np
from sklearn.datasets import load_breast_cancer, load_digits, make_classification, make_regression
out = sys.argv[1]
def save(name, X, y, kind):
    X.astype(np.float32).tofile(f"{out}/{name}.X.bin")
    (y.astype(np.int32) if kind == "classification" else y.astype(np.float32)).tofile(f"{out}/{name}.y.bin")
    json.dump({"n": int(X.shape[0]), "f": int(X.shape[1]), "task": kind}, open(f"{out}/{name}.json", "w"))
for name, loader in [("breast_cancer", load_breast_cancer), ("digits", load_digits)]:
    X, y = loader(return_X_y=True)
    save(name, X, y, "classification")
if sys.argv[2] == "large":
    X, y = make_classification(n_samples=200000, n_features=20, n_informative=10, n_redundant=5, random_state=42)
    save("synthetic_200k", X, y, "classification")
    X, y = make_regression(n_samples=200000, n_features=20, n_informative=10, noise=10, random_state=42)
    save("regression_200k", X, y, "regression")
`;

// One fit per call (so Node can alternate sides); `threads` 0 keeps OpenMP's default.
const fit = `
import json, sys, time, numpy as np, sklearn
from threadpoolctl import threadpool_info, threadpool_limits
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.metrics import r2_score
out, name, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
meta = json.load(open(f"{out}/{name}.json"))
X = np.fromfile(f"{out}/{name}.X.bin", dtype=np.float32).reshape(meta["n"], meta["f"])
reg = meta["task"] == "regression"
y = np.fromfile(f"{out}/{name}.y.bin", dtype=np.float32 if reg else np.int32)
split = json.load(open(f"{out}/{name}.split.json"))
tr, te = np.array(split["train"]), np.array(split["test"])
Xtr, ytr, Xte, yte = X[tr], y[tr], X[te], y[te]
model = HistGradientBoostingRegressor(random_state=0) if reg else HistGradientBoostingClassifier(random_state=0)
def run():
    c0 = time.process_time(); t0 = time.perf_counter(); model.fit(Xtr, ytr); t1 = time.perf_counter(); c1 = time.process_time()
    return t1 - t0, c1 - c0
if threads > 0:
    with threadpool_limits(limits=threads, user_api="openmp"):
        fit_s, cpu_s = run()
else:
    fit_s, cpu_s = run()
pred = model.predict(Xte)
score = float(r2_score(yte, pred)) if reg else float((pred == yte).mean())
omp = [p["num_threads"] for p in threadpool_info() if p["user_api"] == "openmp"]
blas = [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]
print(json.dumps({"version": sklearn.__version__, "fit_s": fit_s, "cpu_s": cpu_s, "score": score, "iterations": int(model.n_iter_),
                  "openmp_threads": threads if threads > 0 else (omp[0] if omp else None), "blas_threads": blas[0] if blas else None}))
`;

function load(name) {
  const { n, f, task } = JSON.parse(readFileSync(join(dir, `${name}.json`), "utf8"));
  const xb = readFileSync(join(dir, `${name}.X.bin`));
  const flat = new Float32Array(xb.buffer, xb.byteOffset, n * f);
  const yb = readFileSync(join(dir, `${name}.y.bin`));
  const y = Array.from(task === "regression" ? new Float32Array(yb.buffer, yb.byteOffset, n) : new Int32Array(yb.buffer, yb.byteOffset, n));
  return { n, f, task, flat, y };
}

function subset(data, rows) {
  const columns = Array.from({ length: data.f }, (_, j) => Float32Array.from(rows, (i) => data.flat[i * data.f + j]));
  return { x: { n: rows.length, columns, names: columns.map((_, j) => `x${j}`) }, y: Float32Array.from(rows, (i) => data.y[i]) };
}

function r2(pred, y) {
  let mean = 0;
  for (const v of y) mean += v / y.length;
  let res = 0;
  let tot = 0;
  for (let i = 0; i < y.length; i++) {
    res += (y[i] - pred[i]) ** 2;
    tot += (y[i] - mean) ** 2;
  }
  return 1 - res / tot;
}

async function lathe(data, train, test, workers) {
  const classification = data.task === "classification";
  const classes = classification ? [...new Set(data.y)].sort((a, b) => a - b).map(String) : [];
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const model = await gradientBoosting.train({ task: data.task, x: train.x, y: train.y, classes, params: { workers }, seed: SEED });
  const fitS = (performance.now() - t0) / 1000;
  // CPU of every thread of the process (workers included).
  const cpu = process.cpuUsage(c0);
  const predicted = model.predict(test.x);
  let score;
  if (classification) {
    let hit = 0;
    for (let i = 0; i < test.y.length; i++) if (predicted[i] === test.y[i]) hit++;
    score = hit / test.y.length;
  } else score = r2(predicted, test.y);
  return { fit_s: fitS, cpu_s: (cpu.user + cpu.system) / 1e6, score, iterations: Number(model.method.split(" ")[0]) };
}

const sklearn = (name, threads) => JSON.parse(execFileSync(PYTHON, ["-c", fit, dir, name, String(threads)], { encoding: "utf8" }));
/** The fastest of `runs` (same model each time: fits are deterministic on both sides); NaNs when not run (--one-thread). */
const best = (runs) => (runs.length ? { ...runs.reduce((a, b) => (b.fit_s < a.fit_s ? b : a)), runs: runs.length } : { fit_s: NaN, cpu_s: NaN, runs: 0 });

try {
  const load0 = loadavg()[0];
  const started = new Date().toISOString();
  execFileSync(PYTHON, ["-c", dump, dir, skipLarge ? "small" : "large"], { stdio: "inherit" });
  const names = ["breast_cancer", "digits", ...(skipLarge ? [] : ["synthetic_200k", "regression_200k"])].filter((n) => !SETS || SETS.includes(n));
  const rows = [];
  for (const name of names) {
    const data = load(name);
    const parts = seededSplit(data.y, SEED, data.task === "classification");
    writeFileSync(join(dir, `${name}.split.json`), JSON.stringify(parts));
    const train = subset(data, parts.train);
    const test = subset(data, parts.test);
    const runs = { lathe: [], lathe1: [], sk: [], sk1: [] };
    const fits = { lathe: () => lathe(data, train, test, 0), lathe1: () => lathe(data, train, test, 1), sk: () => sklearn(name, 0), sk1: () => sklearn(name, 1) };
    for (let r = 0; r < REPS; r++) {
      // Alternate which side goes first. A configuration that has spent over BUDGET_S fitting
      // (sklearn's OpenMP threads on a loaded machine) is not repeated.
      const order = r % 2 === 0 ? ["lathe", "sk", "lathe1", "sk1"] : ["sk", "lathe", "sk1", "lathe1"];
      for (const side of order) {
        if (ONE_THREAD && (side === "lathe" || side === "sk")) continue;
        if (runs[side].reduce((t, x) => t + x.fit_s, 0) > BUDGET_S) continue;
        runs[side].push(await fits[side]());
      }
    }
    rows.push({ name, task: data.task, rows: parts.train.length, ours: best(runs.lathe), ours1: best(runs.lathe1), sk: best(runs.sk), sk1: best(runs.sk1) });
    // As it goes, so a long run shows something before the table.
    console.error(name, JSON.stringify(rows.at(-1)));
  }
  const sk = rows[0].sk.runs ? rows[0].sk : rows[0].sk1;
  console.log(`${started}: node ${process.version}, ${availableParallelism()} cores, scikit-learn ${sk.version} (OpenMP threads ${sk.openmp_threads}, BLAS threads ${sk.blas_threads}); seed ${SEED}; best of ${REPS} (runs: ${rows.map((r) => [r.ours, r.ours1, r.sk, r.sk1].map((x) => x.runs).join("/")).join(", ")}); load average ${load0.toFixed(1)} → ${loadavg()[0].toFixed(1)}`);
  const secs = (s) => (Number.isNaN(s) ? "—" : s < 1 ? `${(s * 1000).toFixed(0)} ms` : `${s.toFixed(2)} s`);
  console.log(
    ["| data", "metric", "Lathe", "sklearn", "Δ", "iters L/sk", "fit Lathe", `fit sklearn (${sk.openmp_threads} thr)`, "ratio", "fit Lathe 1 thr", "fit sklearn 1 thr", "ratio 1 thr", "cpu Lathe / 1 thr", "cpu sklearn / 1 thr |"].join(" | "),
  );
  console.log("|---".repeat(14) + "|");
  for (const r of rows) {
    const reg = r.task === "regression";
    console.log(
      [
        `| ${r.name} (${r.rows} train rows)`,
        reg ? "R²" : "accuracy",
        r.ours1.score.toFixed(4),
        r.sk1.score.toFixed(4),
        reg ? (r.ours1.score - r.sk1.score).toFixed(4) : `${((r.ours1.score - r.sk1.score) * 100).toFixed(2)} pt`,
        `${r.ours1.iterations}/${r.sk1.iterations}`,
        secs(r.ours.fit_s),
        secs(r.sk.fit_s),
        r.ours.runs ? `${(r.ours.fit_s / r.sk.fit_s).toFixed(2)}×` : "—",
        secs(r.ours1.fit_s),
        secs(r.sk1.fit_s),
        `${(r.ours1.fit_s / r.sk1.fit_s).toFixed(2)}×`,
        `${r.ours.runs ? r.ours.cpu_s.toFixed(2) : "—"} / ${r.ours1.cpu_s.toFixed(2)} s`,
        `${r.sk.runs ? r.sk.cpu_s.toFixed(2) : "—"} / ${r.sk1.cpu_s.toFixed(2)} s |`,
      ].join(" | "),
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
