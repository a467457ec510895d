// Benchmark: model quality, Lathe against scikit-learn on identical rows.
//
//   npm run build && node bench/quality.mjs [--seeds 10] [--only iris,wine] [--algorithms decision_tree,svm_rbf] [--dist DIR]
//
// --dist DIR runs Lathe from another build (e.g. a copy of an earlier dist/) for before/after tables.
//
// Data: scikit-learn's bundled breast_cancer, digits, wine, iris and diabetes, and a generated
// regression set (make_friedman1, 2,000 rows, noise 1; california housing is not bundled
// offline), written to CSV by Debian's /usr/bin/python3 with one split column per seed
// (`part_<seed>` = train / test; 75/25, stratified for classification, sklearn's
// train_test_split). Both sides read the same CSV and the same split column.
//
// Lathe runs the way a user runs it: one Lathe program per data set and seed through the
// Session API (dist/api/session.js) — `keep rows where part_3 = 'train'`, a model per algorithm
// with its defaults (seed param = split seed), `evaluate ... metrics accuracy` (or r2). The
// features are the raw numeric columns: Lathe's scale-sensitive learners standardise inside.
//
// scikit-learn 1.2.1 with its defaults, configured as the same model where Lathe's is
// documented to differ from a bare sklearn estimator: StandardScaler in front of logistic
// regression, SVMs and MLPs (Lathe standardises features inside them); the regression target
// standardised for SVR/LinearSVR/MLPRegressor (Lathe fits those on the standardised target, so
// `epsilon` is in target standard deviations); MLP layers (64, 32) (Lathe's default) instead of
// sklearn's (100,); LinearSVC / LinearSVR(loss=squared_epsilon_insensitive, epsilon=0.1) for
// the linear SVM (Lathe's primal squared hinge / squared epsilon-insensitive loss).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";


const PYTHON = "/usr/bin/python3";
const argValue = (flag, fallback) => {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const SEEDS = Number(argValue("--seeds", "10"));
const only = argValue("--only", "")?.split(",").filter(Boolean) ?? [];
const onlyAlgorithms = argValue("--algorithms", "")?.split(",").filter(Boolean) ?? [];
const dir = mkdtempSync(join(tmpdir(), "lathe-bench-quality-"));
const distDir = argValue("--dist", new URL("../dist", import.meta.url).pathname);
const { Session } = await import(join(distDir, "api/session.js"));

const DATASETS = [
  { name: "breast_cancer", task: "classification" },
  { name: "digits", task: "classification" },
  { name: "wine", task: "classification" },
  { name: "iris", task: "classification" },
  { name: "diabetes", task: "regression" },
  { name: "friedman1", task: "regression" },
].filter((d) => only.length === 0 || only.includes(d.name));

/** Table name → Lathe algorithm and options. */
const ALGORITHMS = {
  classification: [
    ["logistic_regression", "logistic_regression", ""],
    ["decision_tree", "decision_tree", ""],
    ["random_forest", "random_forest", ""],
    ["svm_linear", "svm", "kernel: linear"],
    ["svm_rbf", "svm", "kernel: rbf"],
    ["neural_network", "neural_network", ""],
  ],
  regression: [
    ["linear_regression", "linear_regression", ""],
    ["decision_tree", "decision_tree", ""],
    ["random_forest", "random_forest", ""],
    ["svm_linear", "svm", "kernel: linear"],
    ["svm_rbf", "svm", "kernel: rbf"],
    ["neural_network", "neural_network", ""],
  ],
};
const algorithmsFor = (task) => ALGORITHMS[task].filter(([key]) => onlyAlgorithms.length === 0 || onlyAlgorithms.includes(key));

const dump = `
import sys, numpy as np, pandas as pd
from sklearn import datasets
from sklearn.model_selection import train_test_split
out, seeds, names = sys.argv[1], int(sys.argv[2]), sys.argv[3].split(",")
loaders = {
    "breast_cancer": lambda: datasets.load_breast_cancer(return_X_y=True),
    "digits": lambda: datasets.load_digits(return_X_y=True),
    "wine": lambda: datasets.load_wine(return_X_y=True),
    "iris": lambda: datasets.load_iris(return_X_y=True),
    "diabetes": lambda: datasets.load_diabetes(return_X_y=True),
    "friedman1": lambda: datasets.make_friedman1(n_samples=2000, noise=1.0, random_state=0),
}
for name in names:
    X, y = loaders[name]()
    classification = name not in ("diabetes", "friedman1")
    df = pd.DataFrame(X, columns=[f"f{j}" for j in range(X.shape[1])])
    df["target"] = [f"c{int(v)}" for v in y] if classification else y
    idx = np.arange(len(y))
    for s in range(seeds):
        tr, te = train_test_split(idx, test_size=0.25, random_state=s, stratify=y if classification else None)
        part = np.empty(len(y), dtype=object); part[tr] = "train"; part[te] = "test"
        df[f"part_{s}"] = part
    df.to_csv(f"{out}/{name}.csv", index=False, float_format="%.17g")
`;

const sklearnFit = `
import json, sys, time, warnings, numpy as np, pandas as pd, sklearn
from sklearn.compose import TransformedTargetRegressor
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC, SVR, LinearSVC, LinearSVR
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
warnings.filterwarnings("ignore")
out, name, task, seeds, keys = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5].split(",")
df = pd.read_csv(f"{out}/{name}.csv")
features = [c for c in df.columns if c.startswith("f")]
X = df[features].to_numpy(dtype=np.float64)
y = df["target"].to_numpy()
def scaled_target(model):
    return TransformedTargetRegressor(regressor=model, transformer=StandardScaler())
def make(key, seed):
    if task == "classification":
        return {
            "logistic_regression": lambda: make_pipeline(StandardScaler(), LogisticRegression()),
            "decision_tree": lambda: DecisionTreeClassifier(random_state=seed),
            "random_forest": lambda: RandomForestClassifier(random_state=seed),
            "svm_linear": lambda: make_pipeline(StandardScaler(), LinearSVC(random_state=seed)),
            "svm_rbf": lambda: make_pipeline(StandardScaler(), SVC()),
            "neural_network": lambda: make_pipeline(StandardScaler(), MLPClassifier(hidden_layer_sizes=(64, 32), random_state=seed)),
        }[key]()
    return {
        "linear_regression": lambda: LinearRegression(),
        "decision_tree": lambda: DecisionTreeRegressor(random_state=seed),
        "random_forest": lambda: RandomForestRegressor(random_state=seed),
        "svm_linear": lambda: scaled_target(make_pipeline(StandardScaler(), LinearSVR(loss="squared_epsilon_insensitive", epsilon=0.1, random_state=seed))),
        "svm_rbf": lambda: scaled_target(make_pipeline(StandardScaler(), SVR())),
        "neural_network": lambda: scaled_target(make_pipeline(StandardScaler(), MLPRegressor(hidden_layer_sizes=(64, 32), random_state=seed))),
    }[key]()
res = {"version": sklearn.__version__, "scores": {k: [] for k in keys}, "fit_s": {k: 0.0 for k in keys}}
for s in range(seeds):
    part = df[f"part_{s}"].to_numpy()
    tr, te = part == "train", part == "test"
    for key in keys:
        m = make(key, s)
        t0 = time.perf_counter(); m.fit(X[tr], y[tr]); res["fit_s"][key] += time.perf_counter() - t0
        res["scores"][key].append(float(m.score(X[te], y[te])))
print(json.dumps(res))
`;

/** The Lathe program for one data set and split seed. */
function program(name, task, seed) {
  const metric = task === "classification" ? "accuracy" : "r2";
  const lines = [
    `param seed = ${seed}`,
    `source d = read "${name}.csv"`,
    `prepare tr = d { keep rows where part_${seed} = 'train' }`,
    `prepare te = d { keep rows where part_${seed} = 'test' }`,
  ];
  for (const [key, algorithm, options] of algorithmsFor(task)) {
    lines.push(`model ${key} = ${algorithm} predicting target from tr${options ? ` { ${options} }` : ""}`);
    lines.push(`evaluate ${key} on te metrics ${metric}`);
  }
  return lines.join("\n");
}

async function lathe(name, task) {
  const scores = Object.fromEntries(algorithmsFor(task).map(([key]) => [key, []]));
  const fitS = Object.fromEntries(algorithmsFor(task).map(([key]) => [key, 0]));
  const session = await Session.open({ record: false, baseDir: dir });
  try {
    for (let seed = 0; seed < SEEDS; seed++) {
      const outcome = await session.run(program(name, task, seed), { record: false });
      if (!outcome.ok) throw new Error(`${name} seed ${seed}: ${JSON.stringify(outcome.diagnostics.map((d) => d.message))} ${outcome.error?.message ?? ""}`);
      for (const m of outcome.output.metrics) scores[m.model].push(m.value);
      for (const r of outcome.output.results) if (r.kind === "model") fitS[r.name] += r.fitMs / 1000;
    }
  } finally {
    session.close();
  }
  return { scores, fitS };
}

const mean = (a) => a.reduce((s, v) => s + v, 0) / a.length;
const sd = (a) => Math.sqrt(a.reduce((s, v) => s + (v - mean(a)) ** 2, 0) / Math.max(1, a.length - 1));

try {
  const started = Date.now();
  execFileSync(PYTHON, ["-c", dump, dir, String(SEEDS), DATASETS.map((d) => d.name).join(",")], { stdio: "inherit" });
  const rows = [];
  let version = "";
  for (const { name, task } of DATASETS) {
    const keys = algorithmsFor(task).map(([key]) => key);
    const ours = await lathe(name, task);
    const sk = JSON.parse(execFileSync(PYTHON, ["-c", sklearnFit, dir, name, task, String(SEEDS), keys.join(",")], { encoding: "utf8", maxBuffer: 1 << 26 }));
    version = sk.version;
    for (const key of keys) {
      const a = ours.scores[key];
      const b = sk.scores[key];
      const wins = a.filter((v, i) => v > b[i] + 1e-12).length;
      const losses = a.filter((v, i) => v < b[i] - 1e-12).length;
      rows.push({ name, task, key, lathe: mean(a), latheSd: sd(a), sk: mean(b), skSd: sd(b), wins, losses, fitLathe: ours.fitS[key], fitSk: sk.fit_s[key] });
    }
  }
  console.log(`node ${process.version}, ${availableParallelism()} cores, scikit-learn ${version}; ${SEEDS} seeded 75/25 splits per data set; ${((Date.now() - started) / 1000).toFixed(0)} s`);
  console.log("| data | metric | algorithm | Lathe mean (sd) | sklearn mean (sd) | Δ points | Lathe better / worse (of seeds) | fit s Lathe / sklearn (all seeds) |");
  console.log("|---|---|---|---|---|---|---|---|");
  for (const r of rows) {
    const delta = (r.lathe - r.sk) * 100;
    const flag = delta < -1 ? " **below**" : "";
    console.log(
      `| ${r.name} | ${r.task === "classification" ? "accuracy" : "R²"} | ${r.key} | ${r.lathe.toFixed(4)} (${r.latheSd.toFixed(3)}) | ${r.sk.toFixed(4)} (${r.skSd.toFixed(3)}) | ${delta >= 0 ? "+" : ""}${delta.toFixed(2)}${flag} | ${r.wins} / ${r.losses} | ${r.fitLathe.toFixed(2)} / ${r.fitSk.toFixed(2)} |`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
