// Benchmark: Lathe's decision_tree / random_forest against scikit-learn on the same splits.
//
//   npm run build && node bench/trees.mjs [--skip-large] [--baseline DIR] [--param key=value]...
//
// --baseline DIR also times the learners of another build (a copy of an earlier dist/) in the
// same run, so a change can be measured before/after under the same machine load. --param passes
// learner options (e.g. max_bins=1024) to Lathe's side.
//
// Data: sklearn's bundled breast_cancer and digits, and make_classification(200000×20,
// random_state=42), dumped by /usr/bin/python3 into a temp dir. Node draws one seeded
// stratified 70/15/15 split per data set and hands the indices to python, so both sides train
// and test on identical rows. Fit times: sklearn measured inside python (n_jobs=2 for the
// forest), Lathe measured around `train` (binning included).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { decisionTree } from "../dist/runtime/models/trees/decision-tree.js";
import { randomForest } from "../dist/runtime/models/trees/random-forest.js";
import { seededSplit } from "./seeded-split.mjs";

const PYTHON = "/usr/bin/python3";
const SEED = 42;
const dir = mkdtempSync(join(tmpdir(), "lathe-bench-trees-"));
const skipLarge = process.argv.includes("--skip-large");
const argValues = (flag) => process.argv.flatMap((a, i) => (a === flag ? [process.argv[i + 1]] : []));
const baselineDir = argValues("--baseline")[0];
const params = Object.fromEntries(
  argValues("--param").map((kv) => {
    const [k, v] = kv.split("=");
    return [k, Number.isNaN(Number(v)) ? v : Number(v)];
  }),
);
const baseline = baselineDir
  ? {
      tree: (await import(join(baselineDir, "runtime/models/trees/decision-tree.js"))).decisionTree,
      forest: (await import(join(baselineDir, "runtime/models/trees/random-forest.js"))).randomForest,
    }
  : undefined;

const dump = `
import json, sys, numpy as np
from sklearn.datasets import load_breast_cancer, load_digits, make_classification
out = sys.argv[1]
for name, loader in [("breast_cancer", load_breast_cancer), ("digits", load_digits)]:
    X, y = loader(return_X_y=True)
    X.astype(np.float32).tofile(f"{out}/{name}.X.bin"); y.astype(np.int32).tofile(f"{out}/{name}.y.bin")
    json.dump({"n": int(X.shape[0]), "f": int(X.shape[1])}, open(f"{out}/{name}.json", "w"))
if sys.argv[2] == "large":
    X, y = make_classification(n_samples=200000, n_features=20, n_informative=10, n_redundant=5, random_state=42)
    X.astype(np.float32).tofile(f"{out}/synthetic_200k.X.bin"); y.astype(np.int32).tofile(f"{out}/synthetic_200k.y.bin")
    json.dump({"n": int(X.shape[0]), "f": int(X.shape[1])}, open(f"{out}/synthetic_200k.json", "w"))
`;

const fit = `
import json, sys, time, numpy as np, sklearn
from sklearn.tree import DecisionTreeClassifier
from sklearn.ensemble import RandomForestClassifier
out, name = sys.argv[1], sys.argv[2]
meta = json.load(open(f"{out}/{name}.json"))
X = np.fromfile(f"{out}/{name}.X.bin", dtype=np.float32).reshape(meta["n"], meta["f"])
y = np.fromfile(f"{out}/{name}.y.bin", dtype=np.int32)
split = json.load(open(f"{out}/{name}.split.json"))
tr, te = np.array(split["train"]), np.array(split["test"])
res = {"version": sklearn.__version__}
for key, model in [("tree", DecisionTreeClassifier(random_state=0)),
                   ("forest", RandomForestClassifier(n_estimators=100, n_jobs=2, random_state=0))]:
    c0 = time.process_time(); t0 = time.perf_counter(); model.fit(X[tr], y[tr]); t1 = time.perf_counter(); c1 = time.process_time()
    res[key] = {"fit_s": t1 - t0, "cpu_s": c1 - c0, "accuracy": float((model.predict(X[te]) == y[te]).mean())}
print(json.dumps(res))
`;

function load(name) {
  const { n, f } = JSON.parse(readFileSync(join(dir, `${name}.json`), "utf8"));
  const xb = readFileSync(join(dir, `${name}.X.bin`));
  const flat = new Float32Array(xb.buffer, xb.byteOffset, n * f);
  const yb = readFileSync(join(dir, `${name}.y.bin`));
  const y = Array.from(new Int32Array(yb.buffer, yb.byteOffset, n));
  return { n, f, flat, y };
}

function subset(data, rows) {
  const columns = Array.from({ length: data.f }, (_, j) => Float32Array.from(rows, (i) => data.flat[i * data.f + j]));
  return { x: { n: rows.length, columns, names: columns.map((_, j) => `x${j}`) }, y: Float32Array.from(rows, (i) => data.y[i]) };
}

async function lathe(learner, train, test, classes, options = params) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const model = await learner.train({ task: "classification", x: train.x, y: train.y, classes, params: options, seed: SEED });
  const fitS = (performance.now() - t0) / 1000;
  // CPU of every thread of the process (workers included): comparable between builds under load.
  const cpu = process.cpuUsage(c0);
  const cpuS = (cpu.user + cpu.system) / 1e6;
  const predicted = model.predict(test.x);
  let hit = 0;
  for (let i = 0; i < test.y.length; i++) if (predicted[i] === test.y[i]) hit++;
  return { fit_s: fitS, cpu_s: cpuS, accuracy: hit / test.y.length, threads: model.trainingThreads };
}

try {
  execFileSync(PYTHON, ["-c", dump, dir, skipLarge ? "small" : "large"], { stdio: "inherit" });
  const names = ["breast_cancer", "digits", ...(skipLarge ? [] : ["synthetic_200k"])];
  const rows = [];
  for (const name of names) {
    const data = load(name);
    const parts = seededSplit(data.y, SEED);
    writeFileSync(join(dir, `${name}.split.json`), JSON.stringify(parts));
    const sk = JSON.parse(execFileSync(PYTHON, ["-c", fit, dir, name], { encoding: "utf8" }));
    const train = subset(data, parts.train);
    const test = subset(data, parts.test);
    const classes = [...new Set(data.y)].sort((a, b) => a - b).map(String);
    for (const [key, learner] of [["tree", decisionTree], ["forest", randomForest]]) {
      if (baseline) rows.push({ name, key: `${key} (base)`, ours: await lathe(baseline[key], train, test, classes, {}), sk: sk[key], version: sk.version });
      const ours = await lathe(learner, train, test, classes);
      rows.push({ name, key, ours, sk: sk[key], version: sk.version });
    }
  }
  const pad = (s, w) => String(s).padEnd(w);
  console.log(`node ${process.version}, ${availableParallelism()} cores, scikit-learn ${rows[0]?.version}; seed ${SEED}; params ${JSON.stringify(params)}`);
  console.log(
    [pad("data", 16), pad("model", 14), pad("acc lathe", 10), pad("acc sk", 8), pad("Δ pts", 7), pad("fit lathe", 11), pad("fit sk", 10), pad("ratio", 7), pad("cpu lathe", 10), pad("cpu sk", 9), "threads"].join(" "),
  );
  for (const r of rows) {
    console.log(
      [
        pad(r.name, 16),
        pad(r.key, 14),
        pad(r.ours.accuracy.toFixed(4), 10),
        pad(r.sk.accuracy.toFixed(4), 8),
        pad(((r.ours.accuracy - r.sk.accuracy) * 100).toFixed(2), 7),
        pad(`${(r.ours.fit_s * 1000).toFixed(1)} ms`, 11),
        pad(`${(r.sk.fit_s * 1000).toFixed(1)} ms`, 10),
        pad(`${(r.ours.fit_s / r.sk.fit_s).toFixed(3)}×`, 7),
        pad(`${r.ours.cpu_s.toFixed(2)} s`, 10),
        pad(`${r.sk.cpu_s.toFixed(2)} s`, 9),
        r.ours.threads,
      ].join(" "),
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
