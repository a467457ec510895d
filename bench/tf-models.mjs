// Lathe's TensorFlow.js learners against scikit-learn on the same data and the same split.
//
//   npm run build && node bench/tf-models.mjs [--only breast_cancer,digits,synthetic_200k] [--skip-tfjs-mlp]
//
// Python (/usr/bin/python3 with sklearn) dumps each data set as float32/int32 binaries; this script
// draws one stratified 70/15/15 split (seed 42) and hands the indices to python, so both sides
// train on identical rows. Both sides standardise inside the timed fit (sklearn: a StandardScaler
// pipeline). Fit time is the median of up to five fits on each side (repeats stop once they add up
// to 2 s); Lathe's excludes backend start-up and follows an untimed warm-up fit; sklearn's is
// measured inside python.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { logisticRegression } from "../dist/runtime/models/logistic-regression.js";
import { neuralNetwork } from "../dist/runtime/models/neural-network.js";
import { SeededRandom } from "../dist/runtime/models/seeded-random.js";
import { svm } from "../dist/runtime/models/svm.js";
import { initBackend } from "../dist/runtime/models/tf-backend.js";

const PYTHON = "/usr/bin/python3";
const dir = join(tmpdir(), "lathe-bench-tf-models");
mkdirSync(dir, { recursive: true });

const pySource = String.raw`
import json, sys, time, warnings
import numpy as np
from sklearn import datasets
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC
from sklearn.neural_network import MLPClassifier
warnings.filterwarnings("ignore")
cmd, name, d = sys.argv[1], sys.argv[2], sys.argv[3]
if cmd == "dump":
    if name == "breast_cancer": X, y = datasets.load_breast_cancer(return_X_y=True)
    elif name == "digits": X, y = datasets.load_digits(return_X_y=True)
    else: X, y = datasets.make_classification(n_samples=200000, n_features=20, random_state=0)
    X.astype(np.float32).tofile(f"{d}/{name}.x.f32"); y.astype(np.int32).tofile(f"{d}/{name}.y.i32")
    print(json.dumps({"n": int(X.shape[0]), "d": int(X.shape[1])}))
else:
    split = json.load(open(f"{d}/{name}.split.json"))
    X = np.fromfile(f"{d}/{name}.x.f32", dtype=np.float32).reshape(split["n"], split["d"]).astype(np.float64)
    y = np.fromfile(f"{d}/{name}.y.i32", dtype=np.int32)
    tr, te = np.array(split["train"]), np.array(split["test"])
    models = {
        "logistic_regression": LogisticRegression(),
        "svm (linear)": LinearSVC(dual=False),
        "neural_network (64,32)": MLPClassifier((64, 32), random_state=0),
    }
    out = {}
    for label, model in models.items():
        pipe = make_pipeline(StandardScaler(), model)
        times = []
        while len(times) < 5 and (not times or sum(times) < 2.0):
            t = time.perf_counter(); pipe.fit(X[tr], y[tr]); times.append(time.perf_counter() - t)
        fit = float(np.median(times))
        iterations = int(np.max(model.n_iter_))
        accs = [float((pipe.predict(X[te]) == y[te]).mean())]
        # Small test sets (86 rows: one row is 1.2 points): the mean over seeds 0-4 for seeded models.
        if len(te) < 1000 and "random_state" in model.get_params():
            for seed in range(1, 5):
                model.set_params(random_state=seed); pipe.fit(X[tr], y[tr])
                accs.append(float((pipe.predict(X[te]) == y[te]).mean()))
        out[label] = {"accuracy": float(np.mean(accs)), "seeds": len(accs), "fit_s": fit, "iterations": iterations}
    print(json.dumps(out))
`;
writeFileSync(join(dir, "sk.py"), pySource);
const py = (...args) => JSON.parse(execFileSync(PYTHON, [join(dir, "sk.py"), ...args, dir], { encoding: "utf8", maxBuffer: 1 << 26 }));

/** A file's bytes as a standalone ArrayBuffer (small Buffers share a pooled one). */
function bytes(file) {
  const b = readFileSync(file);
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
}

/** Stratified split: per class, a seeded shuffle then 70% / 15% / 15%. */
function stratifiedSplit(y, seed) {
  const rng = new SeededRandom(seed);
  const byClass = new Map();
  y.forEach((c, i) => (byClass.get(c) ?? byClass.set(c, []).get(c)).push(i));
  const split = { train: [], validation: [], test: [] };
  for (const c of [...byClass.keys()].sort((a, b) => a - b)) {
    const idx = rng.shuffle(byClass.get(c));
    const a = Math.round(idx.length * 0.7);
    const b = a + Math.round(idx.length * 0.15);
    split.train.push(...idx.slice(0, a));
    split.validation.push(...idx.slice(a, b));
    split.test.push(...idx.slice(b));
  }
  for (const k of Object.keys(split)) split[k].sort((p, q) => p - q);
  return split;
}

function subset(x, d, y, idx) {
  const columns = Array.from({ length: d }, (_, j) => Float32Array.from(idx, (i) => x[i * d + j]));
  return { x: { n: idx.length, columns, names: columns.map((_, j) => `f${j}`) }, y: Float32Array.from(idx, (i) => y[i]) };
}

const learners = {
  logistic_regression: [logisticRegression, {}],
  "svm (linear)": [svm, { kernel: "linear" }],
  // The MLP on both engines (LATHE_NN_ENGINE): the native SIMD module Lathe uses by default, and
  // TensorFlow.js, its fallback when no compiler was there at install. Both against the same sklearn fit.
  "neural_network (64,32)": [neuralNetwork, { layers: [64, 32] }, undefined, "native"],
  "neural_network (64,32) on tfjs": [neuralNetwork, { layers: [64, 32] }, "neural_network (64,32)", "tfjs"],
};
const skipTfjs = process.argv.includes("--skip-tfjs-mlp");

const only = process.argv.includes("--only") ? process.argv[process.argv.indexOf("--only") + 1].split(",") : undefined;
const names = (only ?? ["breast_cancer", "digits", "synthetic_200k"]);
const backend = await initBackend();
console.log(`tfjs backend: ${backend}`);
const rows = [];
for (const name of names) {
  const { n, d } = py("dump", name);
  const x = new Float32Array(bytes(join(dir, `${name}.x.f32`)));
  const y = Array.from(new Int32Array(bytes(join(dir, `${name}.y.i32`))));
  const split = stratifiedSplit(y, 42);
  writeFileSync(join(dir, `${name}.split.json`), JSON.stringify({ n, d, ...split }));
  const sk = py("fit", name);
  const classes = [...new Set(y)].sort((a, b) => a - b).map(String);
  const train = subset(x, d, y, split.train);
  const test = subset(x, d, y, split.test);
  for (const [label, [learner, params, skLabel = label, engine]] of Object.entries(learners)) {
    if (engine === "tfjs" && skipTfjs) continue;
    if (engine) process.env.LATHE_NN_ENGINE = engine;
    else delete process.env.LATHE_NN_ENGINE;
    // One untimed fit first (one epoch for the MLP): the timed fit then measures a warm process,
    // as in a kernel or server, not V8's JIT and wasm compilation of each code path.
    await learner.train({ task: "classification", ...train, classes, params: { ...params, epochs: 1 }, seed: 0 });
    // Median of up to five fits (fewer when one takes long), as on the python side.
    const times = [];
    let model;
    while (times.length < 5 && (times.length === 0 || times.reduce((a, b) => a + b) < 2)) {
      const t = performance.now();
      model = await learner.train({ task: "classification", ...train, classes, params, seed: 0 });
      times.push((performance.now() - t) / 1000);
    }
    const fit = times.sort((a, b) => a - b)[times.length >> 1];
    const iterations = model.history?.at(-1)?.step ?? 0;
    const accuracyOf = (m) => {
      const pred = m.predict(test.x);
      let hit = 0;
      for (let i = 0; i < test.y.length; i++) if (pred[i] === test.y[i]) hit++;
      return hit / test.y.length;
    };
    // As on the python side: the mean over seeds 0-4 where sklearn's model takes a seed and the test set is small.
    const accs = [accuracyOf(model)];
    for (let seed = 1; seed < sk[skLabel].seeds; seed++) accs.push(accuracyOf(await learner.train({ task: "classification", ...train, classes, params, seed })));
    const acc = accs.reduce((a, b) => a + b) / accs.length;
    const row = {
      dataset: `${name} (${split.train.length}×${d})`,
      model: label,
      lathe: acc,
      seeds: accs.length,
      sklearn: sk[skLabel].accuracy,
      diffPoints: 100 * (acc - sk[skLabel].accuracy),
      latheFit: fit,
      sklearnFit: sk[skLabel].fit_s,
      ratio: fit / sk[skLabel].fit_s,
      iterations: `${iterations} / ${sk[skLabel].iterations}`,
      // Linear learners run on no engine of their own (float64 JS, worker threads): "js".
      backend: model.backend ?? "js",
    };
    rows.push(row);
    console.log(
      `${row.dataset.padEnd(26)} ${label.padEnd(34)} iters ${row.iterations.padEnd(9)} acc ${acc.toFixed(4)} vs ${row.sklearn.toFixed(4)} ` +
        `(${row.diffPoints >= 0 ? "+" : ""}${row.diffPoints.toFixed(2)} pt)  [${row.backend}]  fit ${fit.toFixed(3)} s vs ${row.sklearnFit.toFixed(3)} s  ratio ${row.ratio.toFixed(2)}×`,
    );
  }
}
console.log("\n| data set (train rows×features) | model | engine | Lathe acc | sklearn acc | seeds | diff (pt) | Lathe fit | sklearn fit | ratio | iterations Lathe / sklearn |");
console.log("|---|---|---|---|---|---|---|---|---|---|---|");
for (const r of rows) {
  console.log(
    `| ${r.dataset} | ${r.model} | ${r.backend} | ${r.lathe.toFixed(4)} | ${r.sklearn.toFixed(4)} | ${r.seeds} | ${r.diffPoints.toFixed(2)} | ${r.latheFit.toFixed(3)} s | ${r.sklearnFit.toFixed(3)} s | ${r.ratio.toFixed(2)}× | ${r.iterations} |`,
  );
}
