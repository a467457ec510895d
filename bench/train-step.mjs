// Benchmark: one train step through `lathe run --no-record`, this build against another (--baseline),
// the two alternating run by run (this, baseline, baseline, this, ...) so the shared machine's load
// falls on both alike: the step's time as `lathe run` prints it, the process's peak RSS
// and CPU time (user + system, /usr/bin/time) and the 1-minute load average before each run; medians per build and program.
//
//   npm run build && node bench/train-step.mjs --baseline OTHER_BUILD_ROOT [--repeat 7] [--models linear,logistic,gbm,gbm-classification,mlp]
//
// Data: the 200k × 20 sets of bench/scale.mjs (scikit-learn's make_regression / make_classification,
// random_state 42), written once into a temp dir; the program: read, split 70/15/15 seed 42, train,
// evaluate on test (the metric is printed, so a change of model shows).
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const REPEAT = Number(arg("repeat", 7));
const MODELS = arg("models", "linear,logistic").split(",");
const here = fileURLToPath(new URL("..", import.meta.url));
const builds = [{ name: "this build", root: here }, ...(arg("baseline") ? [{ name: "baseline", root: resolve(arg("baseline")) }] : [])];
const dir = mkdtempSync(join(tmpdir(), "lathe-bench-train-step-"));

const programs = {
  linear: { csv: "reg-200k.csv", model: "linear_regression predicting target", metric: "r2" },
  logistic: { csv: "class-200k.csv", model: "logistic_regression predicting label", metric: "accuracy" },
  // gradient_boosting on one thread (the bench/scale.mjs "gbm 1 thread" rows' learner).
  gbm: { csv: "reg-200k.csv", model: "gradient_boosting predicting target", options: "workers: 1", metric: "r2" },
  "gbm-classification": { csv: "class-200k.csv", model: "gradient_boosting predicting label", options: "workers: 1", metric: "accuracy" },
  // The bench/scale.mjs "mlp" row's network at 200k: 10 epochs, no early stopping.
  mlp: { csv: "class-200k.csv", model: "neural_network predicting label", options: "layers: [64, 32]; batch_size: 200; epochs: 10; early_stopping: false", metric: "accuracy" },
};

/** A run of `program` by the build at `root`: the train step's ms, the peak RSS in MB, the metric. */
function run(root, file, metric) {
  const r = spawnSync("/usr/bin/time", ["-f", "%M %U %S", process.execPath, join(root, "bin/lathe.js"), "run", "--no-record", file], { encoding: "utf8", cwd: dir });
  if (r.status !== 0) throw new Error(`${root}: ${r.stdout}\n${r.stderr}`);
  const train = r.stdout.split("\n").findLast((l) => l.includes("train m ("));
  const score = new RegExp(`${metric}\\s+(-?[0-9.]+)`).exec(r.stdout.split("\n").find((l) => l.includes("evaluate m")) ?? "")?.[1];
  const [kb, user, sys] = r.stderr.trim().split("\n").pop().split(" ").map(Number);
  return { ms: Number(/\((\d+) ms\)\s*$/.exec(train)[1]), rss: kb / 1024, cpu: user + sys, score };
}

const median = (xs) => {
  const o = [...xs].sort((a, b) => a - b);
  return (o[Math.floor((o.length - 1) / 2)] + o[Math.ceil((o.length - 1) / 2)]) / 2;
};

try {
  execFileSync("/usr/bin/python3", ["-c", `
import numpy as np, pandas as pd
from sklearn.datasets import make_classification, make_regression
X, y = make_classification(n_samples=200000, n_features=20, n_informative=10, n_redundant=5, random_state=42)
d = pd.DataFrame(X, columns=[f"f{j}" for j in range(20)]); d["label"] = np.where(y == 1, "yes", "no"); d.to_csv("${join(dir, "class-200k.csv")}", index=False)
X, y = make_regression(n_samples=200000, n_features=20, n_informative=10, noise=10, random_state=42)
d = pd.DataFrame(X, columns=[f"f{j}" for j in range(20)]); d["target"] = y; d.to_csv("${join(dir, "reg-200k.csv")}", index=False)
`]);
  console.log("| program | build | train step (median) | runs | process CPU user+sys (median) | peak RSS (median) | score | load range |");
  console.log("|---|---|---|---|---|---|---|---|");
  for (const name of MODELS) {
    const p = programs[name];
    const file = join(dir, `${name}.lathe`);
    writeFileSync(file, `source raw = read "${join(dir, p.csv)}"\nsplit raw into train 70%, validation 15%, test 15% seed 42\nmodel m = ${p.model} from train${p.options ? ` { ${p.options} }` : ""}\nevaluate m on test metrics ${p.metric}\n`);
    const results = builds.map(() => []);
    for (let i = 0; i < REPEAT; i++) {
      // ABBA order: neither build always runs first.
      const order = i % 2 ? [...builds.keys()].reverse() : [...builds.keys()];
      for (const b of order) results[b].push({ load: loadavg()[0], ...run(builds[b].root, file, p.metric) });
    }
    builds.forEach((b, k) => {
      const rs = results[k];
      const loads = rs.map((r) => r.load);
      console.log(
        `| ${name} | ${b.name} | ${median(rs.map((r) => r.ms))} ms | ${rs.map((r) => r.ms).join(", ")} | ${median(rs.map((r) => r.cpu)).toFixed(2)} s | ${Math.round(median(rs.map((r) => r.rss)))} MB | ${[...new Set(rs.map((r) => r.score))].join(" / ")} | ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)} |`,
      );
    });
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
